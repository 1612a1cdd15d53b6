"""The stages 受理 → 研判 → 调解 → 反馈 → 回访 through dispute_act: one Step (the stage's record) and one event per
action; a skipped stage is refused naming the stage that comes first, and nothing is written."""


import pytest
from django.core.exceptions import ValidationError

from core.models import Event
from mediation.models import Agreement, Dispute, Step
from mediation.services import (
    dispute_act,
    dispute_agree,
    dispute_assess,
    dispute_escalate,
    dispute_feed_back,
    dispute_follow_up,
    dispute_mediate,
    dispute_no_agreement,
    dispute_record,
    dispute_refuse,
    dispute_reopen,
    dispute_withdraw,
)
from mediation.tests.conftest import TERMS, later

pytestmark = pytest.mark.django_db


def written(dispute):
    return (Dispute.objects.filter(pk=dispute.pk).values().get(), Step.objects.count(), Event.objects.count())


def test_a_leak_goes_through_every_stage_and_closes_at_building_level(dispute, pair):
    head, manager = pair["head"], pair["manager"]
    d = dispute_assess(actor=head, dispute=dispute, note="楼上卫生间防水层老化", at=later(1))
    assert d.state == "assessed" and d.assessed_at == later(1)
    d = dispute_mediate(actor=manager, dispute=d, note="约双方到物业办公室", at=later(2))
    d = dispute_record(actor=manager, dispute=d, note="双方同意先修后谈费用", at=later(3))
    agreement = dispute_agree(actor=manager, dispute=d, at=later(4), **TERMS)
    d = Dispute.objects.get(pk=dispute.pk)
    assert d.state == "concluded" and d.outcome == "agreement" and d.settled_level == "building"
    assert d.concluded_at == later(4) and agreement.number == "天庆调〔2021〕1号"
    d = dispute_feed_back(actor=head, dispute=d, note="已向双方反馈", at=later(5))
    d = dispute_follow_up(actor=head, dispute=d, performed=True, note="已修好，不再渗水", at=later(6))
    assert d.state == "closed" and d.performed is True and d.closed_at == later(6)
    steps = list(d.steps.values_list("action", "state", "level"))
    assert steps == [("receive", "received", "building"), ("assess", "assessed", "building"),
                     ("mediate", "mediating", "building"), ("record", "mediating", "building"),
                     ("agree", "concluded", "building"), ("feed_back", "fed_back", "building"),
                     ("follow_up", "closed", "building")]
    verbs = list(Event.objects.filter(subject_type="mediation.dispute", subject_id=str(d.pk)).order_by("id")
                 .values_list("verb", flat=True))
    assert verbs == [f"dispute.{a}" for a, *_ in steps]


@pytest.mark.parametrize(("action", "fields", "stage"), [
    ("mediate", {}, "研判"),
    ("agree", TERMS, "研判"),
    ("feed_back", {}, "研判"),
])
def test_skipping_a_stage_is_refused_naming_the_stage_first_and_writes_nothing(dispute, pair, action, fields, stage):
    before = written(dispute)
    with pytest.raises(ValidationError) as refused:
        dispute_act(actor=pair["head"], dispute=dispute, action=action, note="跳过", **fields)
    assert refused.value.messages[0].startswith(f"请先完成「{stage}」再「")
    assert written(dispute) == before


def test_from_assessed_the_agreement_waits_for_mediation(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判", at=later(1))
    with pytest.raises(ValidationError, match="请先完成「调解」再「登记调解协议」。"):
        dispute_agree(actor=pair["head"], dispute=dispute, **TERMS)


def test_an_action_past_its_stage_says_the_dispute_moved_on(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判")
    with pytest.raises(ValidationError, match="该纠纷现为「已研判」，已不能「研判」。"):
        dispute_assess(actor=pair["head"], dispute=dispute, note="再研判")


def test_an_agreement_without_terms_or_parties_is_refused(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判")
    dispute_mediate(actor=pair["head"], dispute=dispute)
    before = written(dispute)
    with pytest.raises(ValidationError) as refused:
        dispute_agree(actor=pair["head"], dispute=dispute, **{**TERMS, "terms": "  "})
    assert refused.value.message_dict == {"terms": ["请写明双方达成的协议内容。"]}
    dispute.parties.filter(role="respondent").update(refused=True)  # no other party left to sign
    with pytest.raises(ValidationError, match="调解协议须载明当事人"):
        dispute_agree(actor=pair["head"], dispute=dispute, **TERMS)
    assert written(dispute) == before and not Agreement.objects.exists()


def test_a_record_is_required_where_it_is_the_stage(dispute, pair):
    before = written(dispute)
    with pytest.raises(ValidationError) as refused:
        dispute_assess(actor=pair["head"], dispute=dispute, note="")
    assert refused.value.message_dict == {"note": ["请填写本阶段的记录。"]}
    assert written(dispute) == before


def test_a_phone_in_a_record_is_stored_masked(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="楼下张三 13598765432 说渗水；身份证620102199001011234")
    step = dispute.steps.get(action="assess")
    assert "13598765432" not in step.note and "135****5432" in step.note
    assert "620102199001011234" not in step.note
    assert "13598765432" not in str(Event.objects.filter(verb="dispute.assess").get().data)


def test_escalation_raises_one_level_and_adds_the_levels_mediators(dispute, pair, accounts):
    d = dispute_escalate(actor=pair["head"], dispute=dispute, note="楼栋协调不成")
    assert d.level == "community" and d.state == "received"
    assert {m.user_id for m in d.mediators.filter(level="community")} == {accounts["community_staff"].pk}
    d = dispute_assess(actor=accounts["community_staff"], dispute=d, note="涉及公共管道")
    d = dispute_escalate(actor=accounts["community_staff"], dispute=d, note="需街道协调")
    assert d.level == "subdistrict" and d.state == "assessed"
    assert {m.user_id for m in d.mediators.filter(level="subdistrict")} == {accounts["subdistrict_admin"].pk}
    d = dispute_escalate(actor=accounts["subdistrict_admin"], dispute=d, note="移交区级")
    assert d.level == "beyond"
    with pytest.raises(ValidationError, match="该纠纷现为|街道以上"):
        dispute_escalate(actor=accounts["subdistrict_admin"], dispute=d, note="再上")
    # The building pair still reads and acts on the case it began.
    d = dispute_mediate(actor=pair["head"], dispute=d)
    agreement = dispute_agree(actor=accounts["subdistrict_admin"], dispute=d, **TERMS)
    assert Dispute.objects.get(pk=d.pk).settled_level == "beyond" and agreement.pk


def test_no_agreement_refers_the_parties(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判")
    dispute_mediate(actor=pair["head"], dispute=dispute)
    with pytest.raises(ValidationError, match="引导当事人"):
        dispute_no_agreement(actor=pair["head"], dispute=dispute, referred_to="")
    d = dispute_no_agreement(actor=pair["head"], dispute=dispute, referred_to="人民法院", note="双方分歧大")
    assert (d.state, d.outcome, d.settled_level, d.referred_to) == ("concluded", "no_agreement", "", "人民法院")


def test_a_party_may_refuse_mediation_and_a_case_may_be_withdrawn(dispute, pair, tree, neighbours):
    from mediation.services import dispute_receive
    from mediation.tests.conftest import parties_of

    party = dispute.parties.get(role="respondent")
    d = dispute_refuse(actor=pair["head"], dispute=dispute, party=party, note="不同意调解")
    assert d.outcome == "refused" and d.state == "concluded" and d.parties.get(pk=party.pk).refused
    other = dispute_receive(actor=pair["head"], kind="noise", title="夜间噪音", place=tree["entrance"],
                            parties=parties_of(neighbours))
    with pytest.raises(ValidationError):
        dispute_refuse(actor=pair["head"], dispute=other, party=party)  # not a party of this case
    d = dispute_withdraw(actor=pair["head"], dispute=other, note="双方已自行和解")
    assert d.outcome == "withdrawn" and d.settled_level == ""


def test_terms_not_performed_reopen_mediation_and_the_agreement_is_revised(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判")
    dispute_mediate(actor=pair["head"], dispute=dispute)
    first = dispute_agree(actor=pair["head"], dispute=dispute, **TERMS)
    dispute_feed_back(actor=pair["head"], dispute=dispute, note="已反馈")
    d = dispute_reopen(actor=pair["head"], dispute=dispute, note="楼上未维修")
    assert (d.state, d.outcome, d.settled_level, d.concluded_at) == ("mediating", "", "", None)
    again = dispute_agree(actor=pair["head"], dispute=d, **{**TERMS, "terms": "物业代为维修，费用由楼上承担"})
    assert again.pk == first.pk and again.number == first.number and "物业代为维修" in again.terms
    assert Event.objects.filter(verb="dispute.agree").last().data["revised"] is True


def test_an_unknown_field_or_action_is_refused_by_name(dispute, pair):
    with pytest.raises(ValidationError, match="takes no field|没有"):
        dispute_act(actor=pair["head"], dispute=dispute, action="assess", note="x", colour="red")
    with pytest.raises(ValidationError):
        dispute_act(actor=pair["head"], dispute=dispute, action="receive")
