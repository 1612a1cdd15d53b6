"""/api/v1/disputes: the list in the caller's cases and area (filters, pages), a case file, one endpoint per action
with its own body; refusals in the API's JSON shape with the service's words, nothing written."""

import datetime

import pytest
from django.test import Client

from core.models import Event
from mediation.models import Dispute, Step
from mediation.services import dispute_receive
from mediation.tests.conftest import parties_of
from people.services import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(pair):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_token_issue(user=pair['head'], name='t')[0]}"
    return client


def post(api, dispute, action, body=None):
    return api.post(f"/api/v1/disputes/{dispute.pk}/actions/{action}", body or {}, content_type="application/json")


def test_the_list_filters_and_pages(api, dispute, pair, tree, neighbours):
    noise = dispute_receive(actor=pair["head"], kind="noise", title="夜间噪音", place=tree["entrance"],
                            parties=parties_of(neighbours))
    items = api.get("/api/v1/disputes").json()["items"]
    assert [i["id"] for i in items] == [noise.pk, dispute.pk]
    assert items[1]["actions"] == ["assess", "refuse", "withdraw", "escalate"]
    assert [i["id"] for i in api.get("/api/v1/disputes", {"kind": "leak"}).json()["items"]] == [dispute.pk]
    first = api.get("/api/v1/disputes", {"limit": 1}).json()
    assert [i["id"] for i in first["items"]] == [noise.pk] and first["next"] == noise.pk
    rest = api.get("/api/v1/disputes", {"limit": 1, "before": first["next"]}).json()
    assert [i["id"] for i in rest["items"]] == [dispute.pk]
    # Received in 2021: long past its settle-by date; the noise, received now, is not.
    assert [i["id"] for i in api.get("/api/v1/disputes", {"overdue": "true"}).json()["items"]] == [dispute.pk]
    assert [i["id"] for i in api.get("/api/v1/disputes", {"overdue": "false"}).json()["items"]] == [noise.pk]
    assert api.get("/api/v1/disputes", {"kind": "dragons"}).status_code == 422


def test_a_case_goes_through_its_stages_by_the_api(api, dispute):
    assert post(api, dispute, "assess", {"note": "防水层老化"}).json()["state"] == "assessed"
    assert post(api, dispute, "mediate", {}).status_code == 200
    got = post(api, dispute, "agree", {"facts": "渗水", "terms": "重做防水", "performance": "自行维修",
                                       "perform_by": "2030-06-20", "signed_on": datetime.date.today().isoformat()})
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["state"] == "concluded" and body["settled_level"] == "building"
    assert body["agreement"]["number"].startswith("天庆调〔")
    assert [s["stage"] for s in body["steps"]] == ["intake", "assessment", "mediation", "mediation"]
    assert post(api, dispute, "feed_back", {"note": "已反馈"}).status_code == 200
    closed = post(api, dispute, "follow_up", {"note": "已修好", "performed": True}).json()
    assert closed["state"] == "closed" and closed["performed"] is True and closed["actions"] == []


def test_a_skipped_stage_is_refused_in_words_and_nothing_is_written(api, dispute):
    before = (Step.objects.count(), Event.objects.count())
    got = post(api, dispute, "mediate", {})
    assert got.status_code == 422
    assert got.json()["detail"] == "请先完成「研判」再「开始调解」。"
    assert (Step.objects.count(), Event.objects.count()) == before
    assert Dispute.objects.get(pk=dispute.pk).state == "received"


def test_field_refusals_and_unknown_fields_and_actions(api, dispute):
    got = post(api, dispute, "assess", {"note": ""})
    assert got.status_code == 422 and got.json()["errors"] == {"note": ["请填写本阶段的记录。"]}
    assert post(api, dispute, "assess", {"note": "x", "state": "closed"}).status_code == 422
    assert post(api, dispute, "teleport").status_code == 404
    assert post(api, dispute, "receive").status_code == 404
    refused = post(api, dispute, "refuse", {"party": 999999})
    assert refused.status_code == 422 and "拒绝调解的当事人" in refused.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).state == "received"


def test_a_visitor_is_asked_to_sign_in(dispute):
    assert Client().get("/api/v1/disputes").status_code == 401
    assert Client().get(f"/api/v1/disputes/{dispute.pk}").status_code == 401


# --- The intake (POST /api/v1/disputes): as the page 登记纠纷 ---

def intake(tree, neighbours, **changes):
    return {"kind": "leak", "title": "楼上漏水", "place": tree["entrance"].code, "description": "卫生间渗水",
            "parties": [{"role": "applicant", "name": "张三", "phone": "13598765432", "address": "2单元502"},
                        {"role": "respondent", "person": neighbours["upstairs"].pk, "address": "2单元602"}],
            **changes}


def test_the_buildings_head_records_a_dispute_with_a_person_on_record(api, pair, tree, neighbours):
    got = api.post("/api/v1/disputes", intake(tree, neighbours), content_type="application/json")
    assert got.status_code == 201, got.content
    body = got.json()
    dispute = Dispute.objects.get(pk=body["id"])
    assert (dispute.state, dispute.place, dispute.title) == ("received", tree["entrance"], "楼上漏水")
    assert {(p.role, p.person_id) for p in dispute.parties.all()} == {("applicant", None),
                                                                       ("respondent", neighbours["upstairs"].pk)}
    assert body["steps"][0]["action"] == "receive" and "13598765432" not in got.content.decode()  # phone masked
    assert Event.objects.filter(verb="dispute.receive").count() == 1


def test_a_refused_intake_writes_nothing(api, pair, tree, neighbours, accounts):
    cases = [({"title": "张三家楼上漏水"}, 422, "title"), ({"parties": []}, 422, "parties"),
             ({"place": "999999999999"}, 422, "place"), ({"kind": "fight"}, 422, "kind"),
             ({"parties": [{"role": "applicant", "person": 999999}]}, 422, "person"),
             ({"actor": 1}, 422, "actor")]
    for changes, status, field in cases:
        got = api.post("/api/v1/disputes", intake(tree, neighbours, **changes), content_type="application/json")
        assert got.status_code == status and field in got.json()["errors"], (changes, got.content)
    named = intake(tree, neighbours, parties=[{"role": "applicant", "name": "张三"},
                                              {"role": "respondent", "name": "李四"}])
    for role in ("other_community_staff", "resident"):  # the place is not theirs to record at
        other = Client()
        other.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_token_issue(user=accounts[role])[0]}"
        got = other.post("/api/v1/disputes", named, content_type="application/json")
        assert got.status_code == 403 and "detail" in got.json()
    assert Client().post("/api/v1/disputes", intake(tree, neighbours), content_type="application/json"
                         ).status_code == 401
    assert Dispute.objects.count() == 0 and Step.objects.count() == 0
