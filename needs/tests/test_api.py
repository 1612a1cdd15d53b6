import pytest

from needs.models import Need, State
from people.services import api_token_issue


@pytest.fixture
def call(client):
    def call(user, method, url, json=None):
        token, _row = api_token_issue(user=user)
        headers = {"Authorization": f"Bearer {token}"}
        if method == "get":
            return client.get(f"/api/v1/needs{url}", json, headers=headers)
        return client.post(f"/api/v1/needs{url}", json or {}, content_type="application/json", headers=headers)
    return call


def test_it_creates_a_need_through_the_api(call, accounts, tree, category):
    response = call(accounts["resident"], "post", "", {"title": "电梯咨询", "place": tree["building"].code,
                                                       "category": category.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "submitted" and body["channel"] == "api" and body["events"][0]["action"] == "submit"
    assert "resident用户" not in response.content.decode()


def test_it_answers_422_with_the_field_errors(call, accounts, tree):
    response = call(accounts["resident"], "post", "", {"title": "  ", "place": tree["building"].code})
    assert response.status_code == 422 and "title" in response.json()["errors"]
    assert call(accounts["resident"], "post", "", {"title": "x", "place": "999"}).status_code == 422
    assert Need.objects.count() == 0


def test_it_runs_actions_and_answers_409_with_the_holder(call, published, accounts):
    ok = call(accounts["unit_admin"], "post", f"/{published.pk}/actions/claim")
    assert ok.status_code == 200 and ok.json()["holder"] == "兰州电影制片厂"
    lost = call(accounts["party_member"], "post", f"/{published.pk}/actions/claim")
    assert lost.status_code == 409 and lost.json()["holder"] == "兰州电影制片厂"
    assert "已被 兰州电影制片厂 认领" in lost.json()["detail"]


def test_it_answers_403_for_a_forbidden_action_and_422_for_a_missing_reason(call, submitted, accounts):
    assert call(accounts["resident"], "post", f"/{submitted.pk}/actions/reject", {"note": "x"}).status_code == 403
    missing = call(accounts["community_staff"], "post", f"/{submitted.pk}/actions/reject", {})
    assert missing.status_code == 422 and "note" in missing.json()["errors"]
    assert Need.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_it_pages_the_list_with_a_keyset_cursor(call, accounts, tree):
    from needs.services import need_submit

    for i in range(5):
        need_submit(actor=accounts["resident"], title=f"需求{i}", place=tree["building"])
    first = call(accounts["community_staff"], "get", "", {"limit": 3}).json()
    assert [n["title"] for n in first["items"]] == ["需求4", "需求3", "需求2"]
    second = call(accounts["community_staff"], "get", "", {"limit": 3, "before": first["next"]}).json()
    assert [n["title"] for n in second["items"]] == ["需求1", "需求0"] and second["next"] is None


def test_it_hides_what_the_caller_may_not_see(call, submitted, accounts):
    assert call(accounts["unit_admin"], "get", f"/{submitted.pk}").status_code == 404
    assert call(accounts["other_community_staff"], "get", "").json()["items"] == []
    detail = call(accounts["community_staff"], "get", f"/{submitted.pk}").json()
    assert "accept" in detail["actions"] and detail["reporter"].startswith("r*")


def test_it_refuses_timestamps_and_internal_fields_from_outside_by_name(call, claimed, accounts):
    from core.models import Event

    need_events = Event.objects.filter(verb__startswith="need.")
    events = need_events.count()
    response = call(accounts["unit_admin"], "post", f"/{claimed.pk}/actions/progress",
                    {"note": "进展", "at": "2000-01-01T00:00:00Z", "_photos": [["x", "y"]],
                     "actor": 1, "need": 2, "action": "resolve"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"at", "_photos", "actor", "need", "action"}
    assert response.json()["errors"]["actor"][0].startswith("不接受此字段")
    assert need_events.count() == events
    response = call(accounts["unit_admin"], "post", f"/{claimed.pk}/actions/progress", {"note": "进展"})
    assert response.status_code == 200 and response.json()["events"][-1]["action"] == "progress"



def test_the_list_sent_as_built_is_what_its_schema_sends(call, claimed, accounts, tree, category):
    """The list skips ninja's validation (needs.api.need_list): the page, validated through NeedPage and rendered
    again, must be the same bytes, for callers who read the needs as typed, by their holder and as the public."""
    from core.api import ReadableJSON
    from needs.api import NeedPage
    from needs.services import need_act, need_submit

    need_submit(actor=accounts["party_member"], title="楼道灯坏了", place=tree["grid1"], is_public=False)
    roomed = need_submit(actor=accounts["resident"], title="3号楼502室漏水", place=tree["building"])
    roomed = need_act(actor=accounts["community_staff"], need=roomed, action="accept", category=category,
                    concern_level="worry")
    need_act(actor=accounts["community_staff"], need=roomed, action="publish")
    for caller in ("community_staff", "unit_admin", "resident", "party_member", "other_community_staff"):
        response = call(accounts[caller], "get", "", {"limit": 10})
        page = NeedPage.model_validate(response.json()).model_dump()
        assert response.content == ReadableJSON().render(None, page, response_status=200).encode()
        assert response["Content-Type"] == "application/json; charset=utf-8"
    assert len(call(accounts["community_staff"], "get", "").json()["items"]) == 3

# --- Categories (GET /api/v1/categories): the ids a need's `category` takes ---

def test_anyone_lists_the_categories_as_a_tree_in_their_order(client, category, root):
    from needs.models import Category

    child = Category.objects.create(name="电梯维修", parent=category, keywords="电梯，维修、保养", order=1)
    everything = client.get("/api/v1/categories", {"limit": 500}).json()
    assert everything["count"] == Category.objects.count() == len(everything["items"])
    listed = {c["id"]: c for c in everything["items"]}
    assert listed[child.pk] == {"id": child.pk, "name": "电梯维修", "parent": category.pk,
                                "keywords": ["电梯", "维修", "保养"], "order": 1}
    assert listed[category.pk]["parent"] is None
    children = client.get("/api/v1/categories", {"parent": category.pk}).json()
    assert children == {"count": 1, "items": [listed[child.pk]]}


def test_the_categories_are_paged(client, category):
    from needs.models import Category

    names = [c.name for c in Category.objects.order_by("order", "name", "id")]
    page = client.get("/api/v1/categories", {"limit": 2, "offset": 1}).json()
    assert page["count"] == len(names) and [c["name"] for c in page["items"]] == names[1:3]


def test_one_category_by_id_and_a_missing_or_bad_one_in_the_error_shape(client, category):
    assert client.get(f"/api/v1/categories/{category.pk}").json()["name"] == "加装电梯"
    missing = client.get("/api/v1/categories/999999")
    assert missing.status_code == 404 and missing.json()["detail"].startswith("找不到编号为 999999 的类别")
    for bad in ("0", "abc", str(2**63)):
        response = client.get(f"/api/v1/categories/{bad}")
        assert response.status_code in (404, 422) and "detail" in response.json()
    assert client.get("/api/v1/categories", {"limit": 0}).status_code == 422


def test_a_token_sent_that_is_not_valid_is_refused_not_read_as_a_visitor(client, category):
    response = client.get("/api/v1/categories", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_staff_accept_a_need_with_a_category_read_from_the_list(call, submitted, accounts, client):
    listed = client.get("/api/v1/categories", {"limit": 500}).json()["items"]
    chosen = next(c for c in listed if c["name"] == "加装电梯")
    accepted = call(accounts["community_staff"], "post", f"/{submitted.pk}/actions/accept",
                    {"category": chosen["id"], "concern_level": "worry"})
    assert accepted.status_code == 200 and accepted.json()["category"] == "加装电梯"
    assert Need.objects.get(pk=submitted.pk).state == State.ACCEPTED
