"""A need's row checked against its events (`verify_events --state`): the whole loop replays to the row, and a
direct edit of the row (state, rating, holder, a date) is reported with the need and the field."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from needs.models import Need
from needs.replay import needs_check
from needs.services import need_act


def mismatches():
    return [(m.subject_id, m.field, m.row, m.replayed) for m in needs_check()]


@pytest.fixture
def lived(claimed, accounts, published, department, submitted):
    """Needs through every action that writes a replayed field: claimed, returned, claimed again, resolved, rated
    unsatisfied, reopened, resolved, followed up; one escalated and dispatched to a department that reports in;
    one rejected."""
    unit, staff, resident = accounts["unit_admin"], accounts["community_staff"], accounts["resident"]
    need = need_act(actor=unit, need=claimed, action="return", note="超出本单位能力")
    need = need_act(actor=unit, need=need, action="claim")
    need = need_act(actor=unit, need=need, action="start")
    need = need_act(actor=unit, need=need, action="resolve", note="已答复", evidence="记录")
    need = need_act(actor=resident, need=need, action="rate", rating="unsatisfied")
    need = need_act(actor=resident, need=need, action="reopen", note="电梯还没动工")
    need = need_act(actor=unit, need=need, action="resolve", note="已动工", evidence="照片")
    need = need_act(actor=accounts["grid_worker"], need=need, action="follow_up", rating="satisfied")
    from needs.services import need_submit

    other = need_submit(actor=resident, title="学校招生政策咨询", place=need.place)
    other = need_act(actor=staff, need=other, action="escalate", note="需教育局答复")
    other = need_act(actor=accounts["subdistrict_admin"], need=other, action="dispatch",
                     organisation=department["organisation"])
    need_act(actor=department["admin"], need=other, action="report_in")
    turned = need_submit(actor=resident, title="重复的反映", place=need.place)
    need_act(actor=staff, need=turned, action="reject", note="已在处理")
    return need


def test_every_need_matches_its_events(lived):
    assert Need.objects.count() == 3
    assert mismatches() == []
    call_command("verify_events", state=True)


def test_a_direct_edit_of_the_state_is_reported_with_the_need_and_the_field(lived):
    Need.objects.filter(pk=lived.pk).update(state="in_progress")
    assert mismatches() == [(str(lived.pk), "state", "in_progress", "closed")]
    with pytest.raises(CommandError, match="1 处记录与其事件不符"):
        call_command("verify_events", state=True)


def test_the_report_prints_the_first_mismatches_and_counts_them_all(lived):
    import io

    Need.objects.filter(pk=lived.pk).update(state="in_progress", rating="", closed_at=None)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"3 处记录与其事件不符（needs.need 3）"):
        call_command("verify_events", state=True, shown=1, stdout=out)
    lines = out.getvalue().splitlines()[1:]
    assert lines == [f"  needs.need#{lived.pk} state: 记录 row 'in_progress' ≠ 事件 events 'closed'",
                     "  …（另有 2 处未列出 / 2 more not listed）"]


def test_a_direct_edit_of_the_rating_and_of_a_date_is_reported(lived):
    rated_at = lived.rated_at
    Need.objects.filter(pk=lived.pk).update(rating="very_satisfied", rated_at=rated_at - datetime.timedelta(days=1))
    assert mismatches() == [(str(lived.pk), "rating", "very_satisfied", "satisfied"),
                            (str(lived.pk), "rated_at", rated_at - datetime.timedelta(days=1), rated_at)]


def test_a_direct_edit_of_the_holder_is_reported(lived, second_unit):
    unit = lived.lead_organisation_id
    Need.objects.filter(pk=lived.pk).update(lead_organisation=second_unit)
    assert mismatches() == [(str(lived.pk), "lead_organisation_id", second_unit.pk, unit)]


def test_a_need_without_events_and_events_without_their_need_are_reported(lived, submitted):
    copy = Need.objects.get(pk=submitted.pk)
    copy.pk, copy.reference = None, "DIRECT1"
    copy.save()  # a row written under the services' feet: no event
    assert mismatches() == [(str(copy.pk), "events", "有记录 / a row", "没有事件 / no events")]
    Need.objects.filter(pk__in=[copy.pk, submitted.pk]).delete()
    assert mismatches() == [(str(submitted.pk), "row", "没有记录 / no row", "有事件 / events")]


def test_an_older_event_without_the_holder_skips_the_holder_rather_than_reporting_it(lived):
    """Events are append-only: one written before its data carried a field leaves that field out of the check."""
    from core.models import Event

    claim = Event.objects.filter(subject_type="needs.need", subject_id=str(lived.pk), verb="need.claim").last()
    data = {k: v for k, v in claim.data.items() if k not in ("organisation", "person")}
    Event.objects.filter(pk=claim.pk).update(data=data)  # as an old event's data (the hash check is not this one)
    Need.objects.filter(pk=lived.pk).update(lead_organisation=None)
    assert mismatches() == []


def test_the_deadline_sweeps_steps_replay_and_a_moved_deadline_is_reported(claimed, accounts):
    """Reminded, flagged overdue, raised by the sweep: the deadlines the events record replay to the row."""
    from needs.tasks import deadline_sweep

    need_act(actor=accounts["unit_admin"], need=claimed, action="start")
    due = Need.objects.get(pk=claimed.pk).resolve_due
    assert deadline_sweep(now=due - datetime.timedelta(minutes=30))["remind"] == 1
    assert deadline_sweep(now=due + datetime.timedelta(minutes=1))["escalate"] == 1
    need = Need.objects.get(pk=claimed.pk)
    assert need.overdue and need.reminded_due is None and need.level == "subdistrict"
    assert mismatches() == []
    moved = due + datetime.timedelta(days=7)
    Need.objects.filter(pk=need.pk).update(resolve_due=moved, overdue=False)
    assert mismatches() == [(str(need.pk), "overdue", False, True), (str(need.pk), "resolve_due", moved, due)]


def test_the_deadlines_set_by_submit_escalate_return_and_reopen_are_checked_too(claimed, accounts):
    """Their events record the deadline they set: a moved one is reported (older events did not: see the module)."""
    from needs.services import need_submit

    fresh = need_submit(actor=accounts["resident"], title="楼道灯不亮", place=claimed.place)
    returned = need_act(actor=accounts["unit_admin"], need=claimed, action="return", note="超出本单位能力")
    raised = need_act(actor=accounts["community_staff"], need=returned, action="escalate", note="需街道协调")
    later = datetime.timedelta(days=30)
    Need.objects.filter(pk=fresh.pk).update(accept_due=fresh.accept_due + later)
    Need.objects.filter(pk=raised.pk).update(claim_due=raised.claim_due + later)
    assert sorted(mismatches()) == sorted([
        (str(fresh.pk), "accept_due", fresh.accept_due + later, fresh.accept_due),
        (str(raised.pk), "claim_due", raised.claim_due + later, raised.claim_due)])
