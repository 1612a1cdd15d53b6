import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.events import events_verify
from core.models import Event, InboxLine
from needs.models import Level, Need, NeedReporter, State
from needs.permissions import system_user
from needs.services import NeedConflict, need_act, need_submit


def events_of(need):
    return list(Event.objects.filter(subject_type="needs.need", subject_id=str(need.pk)).order_by("id"))


def test_it_walks_the_whole_loop_with_one_event_per_action(claimed, accounts):
    need = need_act(actor=accounts["unit_admin"], need=claimed, action="start")
    need = need_act(actor=accounts["unit_admin"], need=need, action="progress", note="已联系中电万维")
    need = need_act(actor=accounts["unit_admin"], need=need, action="resolve", note="咨询会已召开",
                    evidence="居民签到表")
    assert need.resolved_on_time is True
    need = need_act(actor=accounts["resident"], need=need, action="rate", rating="very_satisfied", comment="谢谢")
    assert need.state == State.CLOSED and need.closed_at and need.rating == "very_satisfied"
    verbs = [e.verb for e in events_of(need)]
    assert verbs == ["need.submit", "need.accept", "need.publish", "need.claim", "need.start", "need.progress",
                     "need.resolve", "need.rate"]
    assert events_of(need)[3].data == {**events_of(need)[3].data, "from": "published", "to": "claimed"}
    assert events_verify()[1] is None


def test_it_refuses_an_action_the_state_does_not_allow_and_writes_nothing(submitted, accounts):
    before = Event.objects.count()
    with pytest.raises(NeedConflict, match="已提交"):
        need_act(actor=accounts["unit_admin"], need=submitted, action="claim")
    assert Event.objects.count() == before
    assert Need.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_it_refuses_a_role_that_may_not_act(submitted, accounts, category):
    with pytest.raises(PermissionDenied, match="无权"):
        need_act(actor=accounts["resident"], need=submitted, action="accept", category=category,
                 concern_level="worry")


def test_it_refuses_staff_of_another_community(submitted, accounts, category):
    with pytest.raises(PermissionDenied):
        need_act(actor=accounts["other_community_staff"], need=submitted, action="accept", category=category,
                 concern_level="worry")


def test_it_requires_a_reason_to_reject(submitted, accounts):
    with pytest.raises(ValidationError) as error:
        need_act(actor=accounts["community_staff"], need=submitted, action="reject", note="  ")
    assert "note" in error.value.message_dict
    need = need_act(actor=accounts["community_staff"], need=submitted, action="reject", note="不属于社区职责")
    assert need.state == State.REJECTED


def test_it_tells_a_late_claimant_who_holds_the_need(claimed, accounts):
    with pytest.raises(NeedConflict) as conflict:
        need_act(actor=accounts["party_member"], need=claimed, action="claim")
    assert conflict.value.holder == "兰州电影制片厂"
    assert "已被 兰州电影制片厂 认领" in conflict.value.message


def test_it_lets_a_member_claim_for_themself(published, accounts):
    need = need_act(actor=accounts["party_member"], need=published, action="claim")
    assert need.lead_person.user == accounts["party_member"] and need.lead_organisation is None


def test_it_merges_a_duplicate_and_its_reporter_joins(submitted, accounts, tree):
    other = need_submit(actor=accounts["party_member"], title="电梯什么时候装", place=tree["building"])
    need = need_act(actor=accounts["community_staff"], need=other, action="merge", into=submitted.pk)
    assert need.state == State.MERGED and need.merged_into_id == submitted.pk
    assert NeedReporter.objects.filter(need=submitted, person__user=accounts["party_member"]).exists()
    assert Need.objects.get(pk=submitted.pk).affected == 2


def test_it_escalates_and_the_subdistrict_dispatches_to_a_department_that_reports_in(published, accounts,
                                                                                     department):
    need = need_act(actor=accounts["community_staff"], need=published, action="escalate", note="需教育局答复")
    assert need.state == State.ESCALATED and need.level == Level.SUBDISTRICT
    with pytest.raises(PermissionDenied):
        need_act(actor=accounts["community_staff"], need=need, action="dispatch",
                 organisation=department["organisation"])
    need = need_act(actor=accounts["subdistrict_admin"], need=need, action="dispatch",
                    organisation=department["organisation"].pk)
    assert need.level == Level.DEPARTMENT and need.report_in_due is not None
    need = need_act(actor=department["admin"], need=need, action="report_in")
    assert need.state == State.IN_PROGRESS and need.reported_in_at


def test_it_adds_collaborating_units_as_in_the_elevator_case(claimed, accounts, second_unit):
    need = need_act(actor=accounts["unit_admin"], need=claimed, action="add_collaborator",
                    organisation=second_unit.pk)
    assert list(need.collaborators.all()) == [second_unit]
    with pytest.raises(ValidationError):
        need_act(actor=accounts["unit_admin"], need=need, action="add_collaborator", organisation=second_unit.pk)


def test_it_returns_a_need_to_the_board_with_a_reason(claimed, accounts):
    with pytest.raises(ValidationError):
        need_act(actor=accounts["unit_admin"], need=claimed, action="return")
    need = need_act(actor=accounts["unit_admin"], need=claimed, action="return", note="超出本单位能力")
    assert need.state == State.PUBLISHED and need.holder is None


def test_it_reopens_an_unsatisfied_need_for_the_resident(claimed, accounts):
    need = need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已答复", evidence="记录")
    need = need_act(actor=accounts["resident"], need=need, action="rate", rating="unsatisfied")
    with pytest.raises(ValidationError):
        need_act(actor=accounts["resident"], need=need, action="rate", rating="satisfied")
    need = need_act(actor=accounts["resident"], need=need, action="reopen", note="电梯还没动工")
    assert need.state == State.IN_PROGRESS and need.rating == "" and need.resolved_at is None


def test_it_requires_evidence_to_resolve(claimed, accounts):
    with pytest.raises(ValidationError) as error:
        need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已完成")
    assert "photos" in error.value.message_dict


def test_it_records_a_follow_up_grade_by_the_grid_worker(claimed, accounts):
    need = need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已完成", evidence="签字")
    need = need_act(actor=accounts["grid_worker"], need=need, action="follow_up", rating="satisfied",
                    note="电话回访")
    assert need.state == State.CLOSED and need.rated_by_follow_up


def test_it_notifies_the_reporter_and_the_holder(claimed, accounts):
    assert InboxLine.objects.filter(user=accounts["resident"], verb="claim").exists()
    assert InboxLine.objects.filter(user=accounts["community_staff"], verb="submit").exists()
    assert not InboxLine.objects.filter(user=accounts["unit_admin"], verb="claim").exists()  # the actor


def test_it_does_not_let_people_sign_in_as_the_system_user(db):
    user = system_user()
    assert not user.is_active and not user.has_usable_password()


def test_it_refuses_to_publish_a_private_need(accounts, tree, category):
    need = need_submit(actor=accounts["resident"], title="邻居漏水", place=tree["entrance"], is_public=False)
    need = need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                    concern_level="annoyance")
    with pytest.raises(ValidationError):
        need_act(actor=accounts["community_staff"], need=need, action="publish")


def test_it_takes_in_a_need_escalated_straight_from_intake_when_the_subdistrict_dispatches_it(
        submitted, accounts, department):
    """Escalated before anyone accepted it: the subdistrict's dispatch is its acceptance (the ledger finds it)."""
    from needs.services import need_act

    need = need_act(actor=accounts["community_staff"], need=submitted, action="escalate", note="社区解决不了")
    assert need.accepted_at is None
    need = need_act(actor=accounts["subdistrict_admin"], need=need, action="dispatch",
                   organisation=department["organisation"].pk)
    assert need.accepted_at is not None and need.claimed_at == need.accepted_at
