"""Volunteering in the API: the public list and detail (published activities, no person's name; organisers read
their unpublished ones, who signed up and the check-in code), signing up (the waiting list is no error: 201 with
words), checking in by code or by the organiser (403 for others), the caller's own record; refusals 422 with
words and nothing written, conflicts 409, odd input never 500."""

import datetime

import pytest
from django.utils import timezone

from core.api import MAX_ID
from core.models import Event
from people.masking import mask_name
from people.services import api_token_issue
from volunteering.models import Signup
from volunteering.services import (
    activity_create,
    activity_update,
    certificate_issue,
    checkin,
    hours_certify,
    hours_propose,
    signup_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client):
    def call(user, method, url, json=None):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"} if user else {}
        if method == "get":
            return client.get(f"/api/v1{url}", json, headers=headers)
        return client.post(f"/api/v1{url}", json or {}, content_type="application/json", headers=headers)
    return call


def test_the_public_list_filters_by_place_kind_and_words_and_names_nobody(call, activity, leader, team, tree, now,
                                                                          accounts, volunteer):
    signup_create(actor=accounts["resident"], activity=activity)
    start = now + datetime.timedelta(days=1)
    other = activity_create(actor=accounts["other_community_staff"], kind="traffic", name="文明交通劝导",
                            team=team, place=tree["wlpd"], starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    activity_create(actor=leader, kind="clean_up", name="未发布的清洁", team=team, place=tree["tqjy"], starts_at=start,
                    ends_at=start + datetime.timedelta(hours=1), is_published=False)
    got = call(None, "get", "/activities")
    assert got.status_code == 200
    body = got.json()
    assert body["count"] == 2 and [a["name"] for a in body["items"]] == ["文明交通劝导", "天庆嘉园周六环境清洁"]
    mine = body["items"][1]
    assert (mine["capacity"], mine["signed_up"], mine["free"], mine["organiser"]) == (2, 1, 1, "红色长城护卫队")
    assert mine["place"] == {"code": tree["tqjy"].code, "name": "天庆嘉园社区"}
    assert "resident用户" not in got.content.decode() and "checkin_code" not in mine
    names = lambda params: [a["name"] for a in call(None, "get", "/activities", params).json()["items"]]  # noqa: E731
    assert names({"place": tree["building"].code}) == ["天庆嘉园周六环境清洁"]
    assert names({"place": tree["wlpd"].code}) == ["文明交通劝导"]
    assert names({"kind": "traffic"}) == ["文明交通劝导"] and names({"q": "qingjie"}) == ["天庆嘉园周六环境清洁"]
    assert names({"limit": 1, "offset": 1}) == ["天庆嘉园周六环境清洁"]
    for bad in ({"place": "天庆"}, {"kind": "party"}, {"limit": 0}, {"offset": -1}, {"q": "x" * 51}):
        assert call(None, "get", "/activities", bad).status_code == 422
    assert other.pk


def test_the_detail_is_public_and_organisers_read_the_list(call, activity, leader, accounts, volunteer):
    signup_create(actor=accounts["resident"], activity=activity)
    public = call(None, "get", f"/activities/{activity.pk}")
    assert public.status_code == 200
    body = public.json()
    assert body["signups"] is None and body["checkin_code"] is None and body["is_organiser"] is False
    assert body["duration_hours"] == "2.00" or float(body["duration_hours"]) == 2.0
    assert "resident用户" not in public.content.decode() and activity.checkin_code not in public.content.decode()
    own = call(accounts["resident"], "get", f"/activities/{activity.pk}").json()
    assert own["my_signup"]["state"] == "signed_up" and own["signups"] is None
    organiser = call(leader, "get", f"/activities/{activity.pk}").json()
    assert organiser["is_organiser"] and organiser["checkin_code"] == activity.checkin_code
    [listed] = organiser["signups"]
    assert listed["volunteer"] == volunteer.pk
    assert listed["name"] == mask_name("resident用户")  # the leader reads it masked
    staff = call(accounts["community_staff"], "get", f"/activities/{activity.pk}").json()
    assert staff["signups"][0]["name"] == "resident用户"
    activity_update(actor=leader, activity=activity, is_published=False)
    assert call(None, "get", f"/activities/{activity.pk}").status_code == 404
    assert call(accounts["resident"], "get", f"/activities/{activity.pk}").status_code == 404
    assert call(leader, "get", f"/activities/{activity.pk}").status_code == 200
    for pk in (0, MAX_ID, MAX_ID + 1, 10**30):
        assert call(None, "get", f"/activities/{pk}").status_code in (404, 422)


def test_signing_up_through_the_api(call, activity, accounts, volunteer, member_volunteer, leader):
    activity_update(actor=leader, activity=activity, capacity=1)
    got = call(accounts["resident"], "post", f"/activities/{activity.pk}/signups")
    assert got.status_code == 201 and got.json()["state"] == "signed_up" and "报名成功" in got.json()["message"]
    full = call(accounts["party_member"], "post", f"/activities/{activity.pk}/signups", {})
    assert full.status_code == 201 and full.json()["state"] == "waiting" and "已加入候补名单" in full.json()["message"]
    before = (Signup.objects.count(), Event.objects.filter(verb__startswith="signup").count())
    again = call(accounts["resident"], "post", f"/activities/{activity.pk}/signups")
    assert again.status_code == 422 and "您已报名此活动" in again.json()["errors"]["__all__"][0]
    unregistered = call(accounts["grid_worker"], "post", f"/activities/{activity.pk}/signups")
    assert unregistered.status_code == 422 and "请先登记为志愿者" in unregistered.json()["errors"]["__all__"][0]
    assert call(accounts["resident"], "post", f"/activities/{activity.pk}/signups", {"volunteer": 1}).status_code == 422
    assert call(None, "post", f"/activities/{activity.pk}/signups").status_code == 401
    assert call(accounts["resident"], "post", f"/activities/{MAX_ID}/signups").status_code == 404
    assert (Signup.objects.count(), Event.objects.filter(verb__startswith="signup").count()) == before


def test_checking_in_through_the_api(call, activity, accounts, volunteer, member_volunteer, leader, monkeypatch):
    signup_create(actor=accounts["resident"], activity=activity)
    url = f"/activities/{activity.pk}/checkin"
    early = call(accounts["resident"], "post", url, {"code": activity.checkin_code})
    assert early.status_code == 422 and "签到时间为" in early.json()["errors"]["__all__"][0]
    monkeypatch.setattr(timezone, "now", lambda: activity.starts_at + datetime.timedelta(minutes=5))
    wrong = call(accounts["resident"], "post", url, {"code": "x" * 22})
    assert wrong.status_code == 422 and "签到码与本活动不符" in wrong.json()["errors"]["code"][0]
    ok = call(accounts["resident"], "post", url, {"code": activity.checkin_code})
    assert ok.status_code == 200 and ok.json()["checked_in_at"] is not None
    not_signed = call(accounts["party_member"], "post", url, {"code": activity.checkin_code})
    assert not_signed.status_code == 422 and "您未报名此活动" in not_signed.json()["errors"]["__all__"][0]
    others = call(accounts["party_member"], "post", url, {"volunteer": member_volunteer.pk, "walk_in": True})
    assert others.status_code == 403
    walk_in = call(leader, "post", url, {"volunteer": member_volunteer.pk, "walk_in": True})
    assert walk_in.status_code == 200 and walk_in.json()["is_walk_in"] is True
    for body in ({}, {"code": "x", "volunteer": volunteer.pk}, {"volunteer": MAX_ID}, {"volunteer": 0},
                 {"code": "x" * 65}, {"code": activity.checkin_code, "walk_in": True}, {"code": 5},
                 {"code": activity.checkin_code, "extra": 1}):
        assert call(leader, "post", url, body).status_code == 422, body


def test_my_record(call, activity, accounts, volunteer, leader, unit):
    assert call(accounts["party_member"], "get", "/volunteers/me").status_code == 404  # not registered
    assert call(None, "get", "/volunteers/me").status_code == 401
    signup_create(actor=accounts["resident"], activity=activity)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    hours_propose(activity=activity, at=activity.ends_at + datetime.timedelta(hours=1))
    hours_certify(actor=leader, entries_or_activity=activity)
    day = timezone.localtime(activity.starts_at).date()
    certificate = certificate_issue(actor=accounts["resident"], volunteer=volunteer, first_day=day, last_day=day,
                                    issuer=unit["organisation"], person_in_charge="张主任", contact="0931-8123456",
                                    at=activity.ends_at + datetime.timedelta(days=1))
    body = call(accounts["resident"], "get", "/volunteers/me").json()
    assert body["number"] == volunteer.number and float(body["hours"]) == 2.0
    assert body["star_level"] == 0 and body["next_star_hours"] == 100
    assert [e["state"] for e in body["entries"]] == ["certified"]
    assert [c["number"] for c in body["certificates"]] == [certificate.number]
    assert body["certificates"][0]["issuer"] == "兰州电影制片厂"


def test_a_token_sent_that_is_not_valid_is_refused_not_read_as_a_visitor(client, activity):
    headers = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/activities", headers=headers).status_code == 401
    assert client.get(f"/api/v1/activities/{activity.pk}", headers=headers).status_code == 401
    assert client.get(f"/api/v1/activities/{activity.pk}").status_code == 200


# --- Cancelling one's sign-up; the hours: one's own, and an activity's for its organisers to certify ---

def test_i_cancel_my_sign_up_and_the_first_waiting_moves_up(call, activity, accounts, volunteer, member_volunteer,
                                                            leader, root):
    from people import scopes
    from volunteering.services import volunteer_register

    volunteer_register(actor=root, person=scopes.person_of(leader))
    signup_create(actor=accounts["resident"], activity=activity)
    signup_create(actor=leader, activity=activity)  # the two places taken
    waiting = signup_create(actor=accounts["party_member"], activity=activity)
    assert waiting.state == "waiting"
    url = f"/activities/{activity.pk}/signups/cancel"
    assert call(None, "post", url).status_code == 401
    cancelled = call(accounts["resident"], "post", url)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert "已取消报名" in cancelled.json()["message"]
    assert Signup.objects.get(pk=waiting.pk).state != "waiting"
    assert Event.objects.filter(verb="signup_cancel").count() == 1
    again = call(accounts["resident"], "post", url)
    assert again.status_code == 409 and "detail" in again.json()
    assert Event.objects.filter(verb="signup_cancel").count() == 1  # nothing written the second time


def test_a_sign_up_i_do_not_have_or_cannot_cancel_answers_in_the_error_shape(call, activity, accounts, volunteer):
    url = f"/activities/{activity.pk}/signups/cancel"
    none = call(accounts["resident"], "post", url)
    assert none.status_code == 404 and none.json()["detail"].startswith("您没有报名此活动")
    assert call(accounts["community_staff"], "post", url).status_code == 404  # no volunteer: no sign-up
    signup_create(actor=accounts["resident"], activity=activity)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    late = call(accounts["resident"], "post", url)
    assert late.status_code == 422 and "errors" in late.json()
    assert Signup.objects.get(activity=activity).state != "cancelled"
    for bad in ("/activities/999999/signups/cancel", f"/activities/{MAX_ID + 1}/signups/cancel"):
        assert call(accounts["resident"], "post", bad).status_code in (404, 422)


def _served(activity, accounts, leader):
    signup_create(actor=accounts["resident"], activity=activity)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    return hours_propose(activity=activity, at=activity.ends_at + datetime.timedelta(hours=1))


def test_my_hours_latest_first_by_state_and_paged(call, activity, accounts, volunteer, leader, team, tree):
    assert call(accounts["party_member"], "get", "/volunteers/me/hours").status_code == 404  # not registered
    assert call(None, "get", "/volunteers/me/hours").status_code == 401
    _served(activity, accounts, leader)
    hours_certify(actor=leader, entries_or_activity=activity)
    start = activity.starts_at + datetime.timedelta(days=7)
    later = activity_create(actor=leader, kind="clean_up", name="第二次清洁", place=tree["tqjy"], starts_at=start,
                            ends_at=start + datetime.timedelta(hours=1), team=team)
    _served(later, accounts, leader)
    body = call(accounts["resident"], "get", "/volunteers/me/hours").json()
    assert body["count"] == 2
    assert [(e["activity_name"], e["state"]) for e in body["items"]] == [("第二次清洁", "proposed"),
                                                                        ("天庆嘉园周六环境清洁", "certified")]
    certified = call(accounts["resident"], "get", "/volunteers/me/hours", {"state": "certified"}).json()
    assert [e["activity"] for e in certified["items"]] == [activity.pk] and float(certified["items"][0]["hours"]) == 2
    page = call(accounts["resident"], "get", "/volunteers/me/hours", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and [e["activity"] for e in page["items"]] == [activity.pk]
    assert call(accounts["resident"], "get", "/volunteers/me/hours", {"state": "paid"}).status_code == 422
    assert call(accounts["party_member"], "get", "/volunteers/me/hours").status_code == 404  # another's: never


def test_the_organiser_reads_and_certifies_an_activitys_hours(call, activity, accounts, volunteer, leader):
    _served(activity, accounts, leader)
    url = f"/activities/{activity.pk}/hours"
    listed = call(leader, "get", url)
    assert listed.status_code == 200
    (entry,) = listed.json()["items"]
    assert (entry["volunteer"], entry["state"], entry["proposed"]) == (volunteer.pk, "proposed", True)
    assert entry["name"] == mask_name("resident用户")  # the team's leader is no staff: masked
    assert call(accounts["community_staff"], "get", url).json()["items"][0]["name"] == "resident用户"
    certified = call(leader, "post", f"{url}/certify")
    assert certified.status_code == 200 and certified.json()["items"][0]["state"] == "certified"
    assert Event.objects.filter(verb="hours_certify").count() == 1
    again = call(leader, "post", f"{url}/certify")
    assert again.status_code == 422 and "errors" in again.json()  # nothing waits to be certified
    assert Event.objects.filter(verb="hours_certify").count() == 1


def test_an_activitys_hours_are_as_missing_to_anyone_but_its_organisers(call, activity, accounts, volunteer, leader):
    from volunteering.models import ServiceHours

    _served(activity, accounts, leader)
    url = f"/activities/{activity.pk}/hours"
    assert call(None, "get", url).status_code == 401
    for role in ("resident", "party_member", "other_community_staff", "grid_worker"):
        assert call(accounts[role], "get", url).status_code == 404
        refused = call(accounts[role], "post", f"{url}/certify")
        assert refused.status_code == 404 and "detail" in refused.json()
    assert ServiceHours.objects.get().state == "proposed"  # nothing written
    assert call(leader, "get", "/activities/999999/hours").status_code == 404
    assert call(leader, "get", "/activities/0/hours").status_code == 422


def test_checking_out_myself_or_by_the_organiser(call, activity, accounts, volunteer, member_volunteer, leader):
    url = f"/activities/{activity.pk}/checkout"
    signup_create(actor=accounts["resident"], activity=activity)
    early = call(accounts["resident"], "post", url)
    assert early.status_code == 422 and "errors" in early.json()  # not checked in
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    assert call(None, "post", url).status_code == 401
    done = call(accounts["resident"], "post", url)
    assert done.status_code == 200 and done.json()["checked_out_at"] and "签退成功" in done.json()["message"]
    again = call(accounts["resident"], "post", url)
    assert again.status_code == 409 and Event.objects.filter(verb="checkout").count() == 1
    signup_create(actor=accounts["party_member"], activity=activity)
    checkin(actor=accounts["party_member"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    body = {"volunteer": member_volunteer.pk}
    assert call(accounts["resident"], "post", url, body).status_code == 403  # not an organiser
    assert Event.objects.filter(verb="checkout").count() == 1
    assert call(leader, "post", url, body).status_code == 200
    assert Signup.objects.get(volunteer=member_volunteer).checked_out_at is not None
    assert call(accounts["community_staff"], "post", url).status_code == 404  # no sign-up of their own
    assert call(leader, "post", url, {"volunteer": 0}).status_code == 422
