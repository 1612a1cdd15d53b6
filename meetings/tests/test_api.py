"""Meetings in the API: the public list and detail (public, held, published minutes; members by affiliation or a
masked name, no phone; resolutions with their progress), a private or unpublished meeting 404 to the public and
readable by its members and managers — still without names —, filters, and odd input answered in JSON, never 500."""

import pytest
from django.utils import timezone

from core.api import MAX_ID
from meetings.services import (
    meeting_schedule,
    meeting_update,
    minutes_approve,
    minutes_publish,
    minutes_write,
    resolution_decide,
    resolution_need_create,
    resolution_propose,
)
from needs.models import Category
from needs.services import need_accept, need_publish
from people.services import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client):
    def call(user, url, params=None):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"} if user else {}
        return client.get(f"/api/v1{url}", params, headers=headers)
    return call


@pytest.fixture
def published(held, staff, tree):
    """The held meeting with published minutes naming a member and a phone, and an adopted resolution whose need is
    public."""
    minutes = minutes_write(actor=staff, meeting=held, text="委员一发言，联系电话13800000001。会议通过楼道清理。")
    minutes_publish(actor=staff, minutes=minutes_approve(actor=staff, minutes=minutes))
    adopted = resolution_decide(actor=staff, votes_for=4, resolution=resolution_propose(
        actor=staff, meeting=held, title="3号楼楼道清理"))
    need = resolution_need_create(actor=staff, resolution=adopted, title="楼道清理", place=tree["compound"])
    need = need_accept(actor=staff, need=need, category=Category.objects.get_or_create(name="环境卫生")[0],
                       concern_level="annoyance")
    need_publish(actor=staff, need=need)
    held.need = need
    return held


def test_the_public_reads_published_meetings_without_names_or_phones(call, published, tree):
    listed = call(None, "/meetings")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1 and body["items"][0]["id"] == published.pk
    assert body["items"][0]["minutes_published"] and body["items"][0]["body_kind"] == "committee"
    got = call(None, f"/meetings/{published.pk}")
    assert got.status_code == 200
    text = got.content.decode()
    for personal in ("委员一", "委员二", "13800000001"):
        assert personal not in text
    detail = got.json()
    assert detail["attendance"] == {"present": 4, "absent": 0, "excused": 0, "members": 4}
    assert detail["members"].count("委**") == 3 and "驻区单位 · 兰州电影制片厂" in detail["members"]
    assert "某某发言" in detail["minutes"] and "138****0001" in detail["minutes"]
    [resolution] = detail["resolutions"]
    assert (resolution["state"], resolution["votes_for"], resolution["present"]) == ("adopted", 4, 4)
    assert resolution["progress"]["status"] == "in_progress" and resolution["progress"]["percent"] == 0
    assert resolution["progress"]["items"] == [{"kind": "need", "id": published.need.pk, "done": False}]
    assert resolution["needs"] == [{"id": published.need.pk, "title": "楼道清理",
                                    "url": f"/needs/{published.need.pk}/"}]


def test_a_private_or_unpublished_meeting_is_404_to_the_public(call, published, staff, body, seat_users, accounts):
    coming = meeting_schedule(actor=staff, body=body, title="下次会议", starts_at=timezone.now())
    for url in (f"/meetings/{coming.pk}", f"/meetings/{MAX_ID}"):
        got = call(None, url)
        assert got.status_code == 404 and "detail" in got.json()
    assert call(None, "/meetings").json()["count"] == 1
    meeting_update(actor=staff, meeting=coming, is_public=False)
    assert call(accounts["other_community_staff"], f"/meetings/{coming.pk}").status_code == 404
    for reader in (staff, seat_users[0], accounts["unit_admin"]):
        got = call(reader, f"/meetings/{coming.pk}")
        assert got.status_code == 200 and "委员一" not in got.content.decode()
        assert call(reader, "/meetings").json()["count"] == 2


def test_the_filters(call, published, tree):
    year = timezone.localtime(published.starts_at).year
    count = lambda params: call(None, "/meetings", params).json()["count"]  # noqa: E731
    assert count({"place": tree["tqjy"].code}) == 1 and count({"place": tree["wlpd"].code}) == 0
    assert count({"year": year}) == 1 and count({"year": year - 1}) == 0
    assert count({"kind": "committee"}) == 1 and count({"kind": "joint"}) == 0
    assert count({"limit": 1, "offset": 1}) == 1 and call(None, "/meetings", {"offset": 1}).json()["items"] == []


@pytest.mark.parametrize("params", [{"place": "天庆"}, {"kind": "party"}, {"year": "2021年"}, {"limit": 0},
                                    {"offset": -1}, {"year": 99999}])
def test_odd_filters_are_answered_in_json(call, params):
    got = call(None, "/meetings", params)
    assert got.status_code == 422 and got.json()["detail"]


def test_odd_ids_and_a_bad_token_are_answered_in_json(client):
    for url in ("/api/v1/meetings/0", "/api/v1/meetings/abc", f"/api/v1/meetings/{MAX_ID + 1}"):
        got = client.get(url)
        assert got.status_code in (404, 422) and got.json()["detail"]
    got = client.get("/api/v1/meetings", headers={"Authorization": "Bearer nonsense"})
    assert got.status_code == 401 and got.json()["detail"]


def test_a_superuser_reads_every_meeting(call, published, staff, body, root):
    private = meeting_schedule(actor=staff, body=body, title="不公开的会议", starts_at=timezone.now(), is_public=False)
    assert call(root, f"/meetings/{private.pk}").status_code == 200
    assert call(root, "/meetings").json()["count"] == 2


# --- The bodies (GET /api/v1/meetings/bodies) and the list by body ---

def test_the_public_reads_the_bodies_with_a_meeting_it_may_read(call, published, body, staff, tree):
    from meetings.services import body_create

    quiet = body_create(actor=staff, kind="council", name="天庆嘉园A区居民议事会", place=tree["compound"],
                        description="委员一牵头，电话13800000001")
    listed = call(None, "/meetings/bodies")
    assert listed.status_code == 200
    assert listed.json() == {"count": 1, "items": [{
        "id": body.pk, "name": "天庆嘉园社区社工委", "kind": "committee", "kind_label": body.get_kind_display(),
        "place": {"code": tree["tqjy"].code, "name": "天庆嘉园社区"}, "description": "",
        "rules": listed.json()["items"][0]["rules"]}]}
    assert listed.json()["items"][0]["rules"]  # the quorum and passing rule, in words
    managed = call(staff, "/meetings/bodies").json()
    assert [b["id"] for b in managed["items"]] == [body.pk, quiet.pk]
    text = call(staff, "/meetings/bodies", {"kind": "council"}).content.decode()
    assert "天庆嘉园A区居民议事会" in text and "委员一" not in text and "13800000001" not in text
    assert call(staff, "/meetings/bodies", {"place": tree["wlpd"].code}).json()["count"] == 0


def test_the_bodies_of_a_caller_outside_and_of_a_superuser(call, published, body, staff, tree, accounts, root):
    from meetings.services import body_create

    quiet = body_create(actor=staff, kind="council", name="天庆嘉园A区居民议事会", place=tree["compound"])
    assert [b["id"] for b in call(accounts["other_community_staff"], "/meetings/bodies").json()["items"]] == [
        body.pk]  # the public's: one with a published meeting
    everything = call(root, "/meetings/bodies").json()
    assert {b["id"] for b in everything["items"]} == {body.pk, quiet.pk}
    page = call(root, "/meetings/bodies", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    for params in ({"kind": "party"}, {"place": "天庆"}, {"limit": 0}):
        assert call(None, "/meetings/bodies", params).status_code == 422


def test_the_meetings_of_one_body(call, published, body, staff, tree):
    from meetings.services import body_create

    other = body_create(actor=staff, kind="council", name="天庆嘉园A区居民议事会", place=tree["compound"])
    assert call(None, "/meetings", {"body": body.pk}).json()["count"] == 1
    assert call(None, "/meetings", {"body": other.pk}).json()["count"] == 0
    assert call(None, "/meetings", {"body": 0}).status_code == 422
