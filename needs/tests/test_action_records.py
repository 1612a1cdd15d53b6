"""Each action's record (needs.workflow.ACTIONS) is the one place its rules live: the typed face, the API's
body and need_act take the same fields, and a guard that hides an action on a page is the rule need_act
enforces, with the same words."""

import inspect

import pytest
from django.core.exceptions import ValidationError

from needs import actions, services, workflow
from needs.models import Level, Need
from needs.permissions import action_offered, actions_for, system_user
from needs.services import need_act, need_escalate, need_publish
from people.services import api_token_issue

pytestmark = pytest.mark.django_db

SYSTEM_FLAGS = {"overdue"}  # keyword-only parameters of a face that no request can set
FILES = {"photos"}  # uploaded by pages; JSON has none


def face_fields(action: str) -> set[str]:
    face = getattr(services, f"need_{action}")
    return {name for name, p in inspect.signature(face).parameters.items()
            if p.kind is p.KEYWORD_ONLY} - {"actor", "need", "at"}


@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
def test_each_action_takes_the_same_fields_in_its_face_its_schema_and_need_act(action):
    record = workflow.ACTIONS[action]
    schema_fields = set(record.fields.model_fields) if record.fields else set()
    assert face_fields(action) == actions.FIELDS[action]
    if action != "submit":  # the API's submit body is NeedIn (a place by its code); the fields agree below
        assert face_fields(action) - SYSTEM_FLAGS - FILES == schema_fields


def test_need_act_names_a_field_the_action_does_not_take(published, accounts):
    with pytest.raises(ValidationError) as refused:
        need_act(actor=accounts["unit_admin"], need=published, action="claim", holder="someone")
    assert list(refused.value.message_dict) == ["holder"]
    assert Need.objects.get(pk=published.pk).state == "published"


def test_a_guard_hides_the_action_and_need_act_refuses_it_with_the_same_words(submitted, accounts, category):
    staff = accounts["community_staff"]
    need = need_act(actor=staff, need=submitted, action="accept", category=category, concern_level="worry",
                    is_public=False)
    assert not action_offered(need, "publish") and "publish" not in actions_for(staff, need)
    assert "dispatch" in actions_for(staff, need)
    with pytest.raises(ValidationError) as refused:
        need_publish(actor=staff, need=need)
    assert refused.value.messages == [workflow.refusal(need, "publish", need.submitted_at)]
    assert Need.objects.get(pk=need.pk).state == "accepted"


def test_escalating_twice_is_hidden_and_refused(published, accounts):
    staff, subdistrict = accounts["community_staff"], accounts["subdistrict_admin"]
    need = need_escalate(actor=staff, need=published, note="社区解决不了")
    assert need.level == Level.SUBDISTRICT and not need.overdue
    # Back on the board, the state would allow escalating again; the guard (already with the subdistrict) does not.
    need = need_publish(actor=subdistrict, need=need)
    assert workflow.next_state(need.state, "escalate") is not None
    assert "escalate" not in actions_for(subdistrict, need)
    with pytest.raises(ValidationError) as refused:
        need_escalate(actor=subdistrict, need=need, note="再上报")
    assert refused.value.messages == [workflow.refusal(need, "escalate", need.submitted_at)]
    assert Need.objects.get(pk=need.pk).state == "published"


def test_only_the_system_sets_the_overdue_flag(call, published, accounts):
    body = call(accounts["community_staff"], f"/{published.pk}/actions/escalate", {"note": "需街道", "overdue": True})
    assert body.status_code == 422 and list(body.json()["errors"]) == ["overdue"]
    need = Need.objects.get(pk=published.pk)
    assert need.overdue is False and need.state == "published"


def test_the_sweep_raises_with_the_overdue_flag(published):
    need = need_escalate(actor=system_user(), need=published, note="逾期自动上报", overdue=True)
    assert need.overdue is True and need.level == Level.SUBDISTRICT


def test_the_api_documents_one_body_per_action(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    claim = paths["/api/v1/needs/{need_id}/actions/claim"]["post"]
    assert "requestBody" in claim and "remind" not in str(paths) and "flag_overdue" not in str(paths)
    assert "requestBody" not in paths["/api/v1/needs/{need_id}/actions/start"]["post"]


def test_an_unknown_action_answers_json_404(call, published, accounts):
    response = call(accounts["community_staff"], f"/{published.pk}/actions/explode", {})
    assert response.status_code == 404 and response.json()["detail"].startswith("未知操作")


@pytest.fixture
def call(client):
    def call(user, url, json):
        token, _row = api_token_issue(user=user)
        return client.post(f"/api/v1/needs{url}", json, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    return call
