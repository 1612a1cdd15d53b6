"""Always private: only the case's mediators, staff whose area holds its place and superusers read a dispute; anyone
else is told it does not exist (the services as the API: 404, as for a missing case). The event log (and the
webhooks that will carry it), the notifications and the API's list hold no party's name or phone; each full view
of a case and each revealed phone is logged."""

import datetime
import json

import pytest
from django.test import Client

from core.models import Event, InboxLine, OutboxMessage
from mediation import permissions
from mediation.models import Dispute, Step
from mediation.selectors import disputes_for, party_label
from mediation.services import (
    building_pair_set,
    dispute_agree,
    dispute_assess,
    dispute_feed_back,
    dispute_follow_up,
    dispute_mediate,
    dispute_record,
    dispute_view_log,
    party_phone_reveal,
)
from mediation.tests.conftest import person_with_account
from people.models import PersonalDataAccess
from people.services import api_token_issue
from places.services import place_create

pytestmark = pytest.mark.django_db
OUTSIDERS = ("other_community_staff", "grid_worker", "resident", "party_member", "unit_admin", "committee_member")
SECRETS = ("张三", "上官明", "13598765432", "13712345678", "502", "602")


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token_issue(user=user, name='t')[0]}"}


def walked(dispute, pair):
    head = pair["head"]
    dispute_assess(actor=head, dispute=dispute, note="张三说上官明家卫生间漏水，张三电话13598765432")
    dispute_mediate(actor=head, dispute=dispute, note="约上官明（602）与张三（502）面谈")
    dispute_record(actor=head, dispute=dispute, note="上官明同意维修")
    dispute_agree(actor=head, dispute=dispute, facts="上官明家卫生间渗水至张三家", terms="上官明重做防水",
                  performance="上官明自行委托维修", perform_by=datetime.date(2021, 6, 20),
                  signed_on=datetime.date(2021, 6, 1))
    dispute_feed_back(actor=head, dispute=dispute, note="已告知张三")
    return dispute_follow_up(actor=head, dispute=dispute, performed=True, note="张三确认已修好")


def test_who_reads_a_case(dispute, pair, accounts, root):
    readers = [pair["head"], pair["manager"], accounts["community_staff"], accounts["subdistrict_admin"], root]
    assert all(permissions.may_read(u, dispute) for u in readers)
    assert not any(permissions.may_read(accounts[k], dispute) for k in OUTSIDERS)
    for key in OUTSIDERS:
        assert not disputes_for(accounts[key]).exists()
    assert list(disputes_for(pair["manager"])) == [dispute]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_an_outsider_acting_on_a_case_is_told_it_does_not_exist_and_nothing_is_written(dispute, accounts, who):
    before = (Dispute.objects.filter(pk=dispute.pk).values().get(), Step.objects.count(), Event.objects.count())
    with pytest.raises(Dispute.DoesNotExist):
        dispute_assess(actor=accounts[who], dispute=dispute, note="看看")
    with pytest.raises(Dispute.DoesNotExist):
        dispute_view_log(actor=accounts[who], dispute=dispute)
    with pytest.raises(Dispute.DoesNotExist):
        party_phone_reveal(actor=accounts[who], party=dispute.parties.first())
    assert before == (Dispute.objects.filter(pk=dispute.pk).values().get(), Step.objects.count(),
                      Event.objects.count())


def test_a_mediator_outside_the_case_reads_404_as_for_a_missing_case(dispute, tree, neighbours, accounts, root):
    # The head of another building of the same community mediates that building's cases, not this one.
    other = person_with_account(root, "other_head", "楼长丙", "13900003333", tree["compound"])
    building = place_create(actor=root, kind="building", name="2号楼", code="620102010001001001002",
                            parent=tree["compound"])
    building_pair_set(actor=accounts["community_staff"], building=building, head=other[0],
                      since=datetime.date(2021, 1, 1))
    client = Client()
    headers = bearer(other[1])
    got = client.get(f"/api/v1/disputes/{dispute.pk}", headers=headers)
    missing = client.get("/api/v1/disputes/999999", headers=headers)
    assert got.status_code == missing.status_code == 404
    assert got.json()["detail"].replace(str(dispute.pk), "N") == missing.json()["detail"].replace("999999", "N")
    listed = client.get("/api/v1/disputes", headers=headers)
    assert listed.status_code == 200 and listed.json()["items"] == []
    acted = client.post(f"/api/v1/disputes/{dispute.pk}/actions/assess", {"note": "x"},
                        content_type="application/json", headers=headers)
    assert acted.status_code == 404 and not Event.objects.filter(verb="dispute_view").exists()


def test_the_event_log_and_notifications_carry_no_names_or_phones(dispute, pair):
    walked(dispute, pair)
    party_phone_reveal(actor=pair["head"], party=dispute.parties.get(role="applicant"))
    dispute_view_log(actor=pair["head"], dispute=dispute)
    events = list(Event.objects.filter(subject_type="mediation.dispute"))
    assert len(events) >= 8
    data = json.dumps([e.data for e in events], ensure_ascii=False)
    said = json.dumps([list(InboxLine.objects.values_list("text", flat=True)),
                       list(OutboxMessage.objects.values_list("text", flat=True))], ensure_ascii=False)
    for secret in (*SECRETS, "楼长甲", "物业乙"):
        assert secret not in data, secret
        assert secret not in said, secret
    assert "楼上漏水" in said  # the title, in general terms, is what they are told


def test_a_party_is_shown_masked_unless_in_full(dispute):
    applicant, respondent = dispute.parties.order_by("role")
    assert party_label(applicant) == "张* · 2单元***"
    assert party_label(respondent) == "上** · 2单元***"
    assert party_label(applicant, full=True) == "张三 · 2单元502"


def test_the_api_list_masks_names_and_the_detail_is_a_logged_full_view(dispute, pair):
    headers = bearer(pair["manager"])
    client = Client()
    listed = client.get("/api/v1/disputes", headers=headers)
    assert listed.status_code == 200
    body = listed.content.decode()
    assert "张*" in body and "135****5432" in body
    assert not any(secret in body for secret in ("张三", "上官明", "13598765432", "13712345678"))
    assert not Event.objects.filter(verb="dispute_view").exists()
    one = client.get(f"/api/v1/disputes/{dispute.pk}", headers=headers)
    assert one.status_code == 200 and "张三" in one.content.decode() and "13598765432" not in one.content.decode()
    view = Event.objects.get(verb="dispute_view")
    assert view.actor == pair["manager"] and view.subject_id == str(dispute.pk)


def test_a_revealed_phone_is_logged(dispute, pair):
    respondent = dispute.parties.get(role="respondent")
    assert party_phone_reveal(actor=pair["head"], party=respondent) == "13712345678"
    assert PersonalDataAccess.objects.filter(viewer=pair["head"], person=respondent.person).count() == 1
    assert Event.objects.filter(verb="party_phone_reveal", actor=pair["head"]).count() == 1
