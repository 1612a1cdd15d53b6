"""The volunteering pages as each kind of user opens them: the public list and an activity's page (no names),
signing up (and the refusals in the services' words, nothing written), registering as a volunteer, check-in and
check-out by the QR code's page (GET writes nothing), the organiser's list (tick, walk-in, hours proposed, certified,
corrected with a reason), the volunteer's record with its export and certificates, the public verification, and
the organiser's activities (create, repeat weekly, edit, cancel)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Event
from people import scopes
from people.models import Organisation
from people.services import organisation_create
from volunteering import services
from volunteering.models import Activity, Certificate, HoursCorrection, HoursState, ServiceHours, Signup

pytestmark = pytest.mark.django_db


def events():
    return Event.objects.count()


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def open_activity(leader, team, tree, now):
    """The clean-up about to start (in 20 minutes, two hours): sign-up still open, check-in open already."""
    start = now + datetime.timedelta(minutes=20)
    return services.activity_create(actor=leader, kind="clean_up", name="天庆嘉园周六环境清洁与垃圾分类",
                                    place=tree["tqjy"], starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                    team=team, capacity=10)


@pytest.fixture
def served(leader, team, tree, volunteer, now):
    """A clean-up of last week that the volunteer signed up for, checked in and out of (2 hours): hours to propose."""
    start = now - datetime.timedelta(days=7)
    past = services.activity_create(actor=leader, kind="clean_up", name="上周六环境清洁", place=tree["tqjy"],
                                    starts_at=start, ends_at=start + datetime.timedelta(hours=2), team=team,
                                    at=start - datetime.timedelta(days=2))
    services.signup_create(actor=volunteer.person.user, activity=past, at=start - datetime.timedelta(days=1))
    services.checkin(actor=volunteer.person.user, activity=past, code=past.checkin_code, at=start)
    signup = Signup.objects.get(activity=past, volunteer=volunteer)
    services.checkout(actor=volunteer.person.user, signup=signup, at=start + datetime.timedelta(hours=2))
    return past


@pytest.fixture
def community_office(root, tree):
    return organisation_create(actor=root, kind="community_office", name="天庆嘉园社区居民委员会", place=tree["tqjy"],
                               contact_phone="0931-8123456")


@pytest.fixture
def certified(served, leader, volunteer):
    services.hours_propose(activity=served)
    services.hours_certify(actor=leader, entries_or_activity=served)
    return ServiceHours.objects.get(activity=served, volunteer=volunteer)


@pytest.fixture
def certificate(certified, volunteer, community_office, now):
    return services.certificate_issue(actor=volunteer.person.user, volunteer=volunteer,
                                      first_day=(now - datetime.timedelta(days=30)).date(),
                                      last_day=timezone.localdate(), issuer=community_office,
                                      person_in_charge="李主任", contact="0931-8123456")


# --- The public list and an activity's page ---

def test_the_public_list_shows_activities_and_no_names(client, activity, volunteer):
    services.signup_create(actor=volunteer.person.user, activity=activity)
    text = client.get(reverse("volunteering:list")).content.decode()
    assert "天庆嘉园周六环境清洁" in text and "红色长城护卫队" in text and "天庆嘉园社区" in text
    assert "resident用户" not in text and "王队长" not in text
    assert "剩1个名额" in text


def test_the_list_filters_by_kind_community_and_pinyin(client, activity, leader, team, tree, now):
    start = now + datetime.timedelta(days=4)
    services.activity_create(actor=leader, kind="traffic", name="十字路口劝导", place=tree["tqjy"], starts_at=start,
                             ends_at=start + datetime.timedelta(hours=1), team=team)
    url = reverse("volunteering:list")
    assert "十字路口" not in client.get(url, {"kind": "clean_up"}).content.decode()
    found = client.get(url, {"q": "szlk"}).content.decode()
    assert "十字路口劝导" in found and "周六环境清洁" not in found
    assert "十字路口" not in client.get(url, {"community": tree["wlpd"].code}).content.decode()
    assert client.get(url, {"community": "x" * 40, "kind": "nope", "page": "9999"}).status_code == 200


def test_the_list_searches_the_communities_instead_of_listing_them(client, root, activity, tree):
    from places.services import place_create

    for i in range(30):
        place_create(actor=root, kind="community", name=f"东岗{i}号社区", code=f"620102010{100 + i}",
                     parent=tree["subdistrict"])
    url = reverse("volunteering:list")
    page = client.get(url).content.decode()
    assert 'name="community_q"' in page and not any(f"东岗{i}号社区" in page for i in range(30))
    assert "<option" not in page.split('name="kind"')[0]  # no list of the communities before the kinds
    assert "天庆嘉园周六环境清洁" in client.get(url, {"community": tree["tqjy"].code}).content.decode()
    assert "天庆嘉园周六环境清洁" not in client.get(url, {"community": "620102010107"}).content.decode()
    typed = client.get(url, {"community_q": "五里铺东"}).content.decode()
    assert "天庆嘉园周六环境清洁" not in typed and 'value="620102010002" checked' in typed


def test_an_activity_page_offers_what_the_viewer_may_do(client, activity, accounts, volunteer, leader):
    url = reverse("volunteering:detail", args=[activity.pk])
    anonymous = client.get(url).content.decode()
    assert "登录后报名" in anonymous and "王队长" not in anonymous and "签到码" not in anonymous
    assert "报名" in as_user(client, accounts["resident"]).get(url).content.decode()
    member = as_user(client, accounts["party_member"]).get(url).content.decode()
    assert reverse("volunteering:register") in member  # a person on record, not yet a volunteer
    organiser = as_user(client, leader).get(url).content.decode()
    assert reverse("volunteering:checkin_code", args=[activity.pk]) in organiser
    assert reverse("volunteering:roster", args=[activity.pk]) in organiser


def test_an_unpublished_activity_is_missing_for_others(client, activity, leader, accounts):
    services.activity_update(actor=leader, activity=activity, is_published=False)
    url = reverse("volunteering:detail", args=[activity.pk])
    assert client.get(url).status_code == 404
    assert as_user(client, accounts["resident"]).get(url).status_code == 404
    assert as_user(client, leader).get(url).status_code == 200
    assert client.get(reverse("volunteering:detail", args=[999999])).status_code == 404


# --- Signing up ---

def test_a_volunteer_signs_up_and_cancels(client, activity, volunteer, accounts):
    as_user(client, accounts["resident"])
    response = client.post(reverse("volunteering:signup", args=[activity.pk]))
    assert response.status_code == 302
    signup = Signup.objects.get(activity=activity, volunteer=volunteer)
    assert signup.state == "signed_up"
    page = client.get(reverse("volunteering:detail", args=[activity.pk])).content.decode()
    assert "取消报名" in page
    before = events()
    again = client.post(reverse("volunteering:signup", args=[activity.pk]))
    assert again.status_code == 422 and events() == before  # twice: refused in words, nothing written
    assert Signup.objects.filter(activity=activity).count() == 1
    assert client.post(reverse("volunteering:signup_cancel", args=[signup.pk])).status_code == 302
    signup.refresh_from_db()
    assert signup.state == "cancelled"


def test_a_person_without_a_volunteer_record_is_asked_to_register(client, activity, accounts):
    as_user(client, accounts["party_member"])
    before = events()
    response = client.post(reverse("volunteering:signup", args=[activity.pk]))
    assert response.status_code in (403, 422) and events() == before
    assert "请先登记为志愿者" in response.content.decode() or "志愿者" in response.content.decode()
    url = reverse("volunteering:register") + "?next=" + reverse("volunteering:detail", args=[activity.pk])
    assert client.get(url).status_code == 200
    done = client.post(url, {"name_public": "", "id_card_number": ""})
    assert done.status_code == 302 and done["Location"] == reverse("volunteering:detail", args=[activity.pk])
    volunteer = scopes.person_of(accounts["party_member"]).volunteer
    assert volunteer.number.startswith("ZY") and not volunteer.name_public


def test_registering_refuses_a_bad_id_card_number(client, accounts):
    as_user(client, accounts["party_member"])
    before = events()
    response = client.post(reverse("volunteering:register"), {"id_card_number": "12345"})
    assert response.status_code == 422 and events() == before
    assert "18" in response.content.decode()


def test_an_account_without_a_person_cannot_register(client, accounts):
    response = as_user(client, accounts["community_staff"]).get(reverse("volunteering:register"))
    assert response.status_code == 403


def test_a_full_activity_puts_the_next_on_the_waiting_list(client, activity, volunteer, member_volunteer, leader,
                                                            accounts, root, tree):
    services.activity_update(actor=leader, activity=activity, capacity=1)
    services.signup_create(actor=accounts["party_member"], activity=activity)
    as_user(client, accounts["resident"]).post(reverse("volunteering:signup", args=[activity.pk]))
    assert Signup.objects.get(activity=activity, volunteer=volunteer).state == "waiting"


# --- Check-in by the QR code ---

def test_the_checkin_code_is_the_organisers_and_opens_the_checkin_page(client, open_activity, leader, accounts):
    url = reverse("volunteering:checkin_code", args=[open_activity.pk])
    assert as_user(client, accounts["resident"]).get(url).status_code == 403
    page = as_user(client, leader).get(url).content.decode()
    target = "http://testserver" + reverse("volunteering:checkin", args=[open_activity.pk, open_activity.checkin_code])
    assert target in page and "<svg" in page and "style=" not in page
    from places.tests.qr import expected, svg_modules
    assert svg_modules(page) == expected(target)


def test_checking_in_by_the_code_asks_for_a_press_and_writes_on_post_only(client, open_activity, volunteer, accounts):
    services.signup_create(actor=accounts["resident"], activity=open_activity)
    url = reverse("volunteering:checkin", args=[open_activity.pk, open_activity.checkin_code])
    assert client.get(url).status_code == 302  # a visitor signs in first
    as_user(client, accounts["resident"])
    before = events()
    page = client.get(url)
    assert page.status_code == 200 and events() == before and "签到" in page.content.decode()
    do = reverse("volunteering:checkin_do", args=[open_activity.pk, open_activity.checkin_code])
    assert client.post(do, {"action": "in"}).status_code == 302
    signup = Signup.objects.get(activity=open_activity, volunteer=volunteer)
    assert signup.checked_in_at is not None and signup.checked_out_at is None
    assert "签退" in client.get(url).content.decode()
    assert client.post(do, {"action": "out"}).status_code == 302
    signup.refresh_from_db()
    assert signup.checked_out_at is not None


def test_a_wrong_code_is_not_found_and_someone_not_signed_up_is_refused(client, open_activity, volunteer, accounts):
    as_user(client, accounts["resident"])
    assert client.get(reverse("volunteering:checkin", args=[open_activity.pk, "wrong"])).status_code == 404
    before = events()
    do = reverse("volunteering:checkin_do", args=[open_activity.pk, open_activity.checkin_code])
    response = client.post(do, {"action": "in"})
    assert response.status_code == 422 and events() == before
    assert "组织者" in response.content.decode()


def test_checkin_outside_the_window_is_refused(client, activity, volunteer, accounts):
    services.signup_create(actor=accounts["resident"], activity=activity)  # three days from now
    as_user(client, accounts["resident"])
    before = events()
    response = client.post(reverse("volunteering:checkin_do", args=[activity.pk, activity.checkin_code]))
    assert response.status_code == 422 and events() == before


# --- The organiser's list ---

def test_the_organisers_list_ticks_present_and_out(client, open_activity, volunteer, leader, accounts):
    signup = services.signup_create(actor=accounts["resident"], activity=open_activity)
    url = reverse("volunteering:roster", args=[open_activity.pk])
    assert as_user(client, accounts["resident"]).get(url).status_code == 403
    page = as_user(client, leader).get(url).content.decode()
    assert "resident用户" in page and volunteer.number in page
    tick = reverse("volunteering:roster_tick", args=[open_activity.pk])
    assert client.post(tick, {"signup": signup.pk, "action": "in"}).status_code == 302
    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    assert client.post(tick, {"signup": signup.pk, "action": "out"}).status_code == 302
    signup.refresh_from_db()
    assert signup.checked_out_at is not None
    assert client.post(tick, {"signup": "999999"}).status_code == 422


def test_a_walk_in_is_found_by_the_picker_and_added(client, open_activity, member_volunteer, leader):
    as_user(client, leader)
    pick = client.get(reverse("volunteering:walk_in_pick", args=[open_activity.pk]),
                      {"name": "person", "person_q": member_volunteer.number})
    assert pick.status_code == 200 and "p*" in pick.content.decode()
    response = client.post(reverse("volunteering:walk_in", args=[open_activity.pk]),
                           {"person": member_volunteer.person.pk, "person_q": ""})
    assert response.status_code == 302
    signup = Signup.objects.get(activity=open_activity, volunteer=member_volunteer)
    assert signup.is_walk_in and signup.checked_in_at is not None


def test_the_walk_in_picker_is_the_organisers(client, open_activity, accounts):
    url = reverse("volunteering:walk_in_pick", args=[open_activity.pk])
    assert as_user(client, accounts["resident"]).get(url, {"name": "person", "person_q": "p"}).status_code == 404


def test_the_organiser_proposes_certifies_and_corrects_the_hours(client, served, volunteer, leader, accounts):
    as_user(client, leader)
    assert client.post(reverse("volunteering:hours_propose", args=[served.pk])).status_code == 302
    entry = ServiceHours.objects.get(activity=served, volunteer=volunteer)
    assert entry.state == HoursState.PROPOSED and entry.hours == 2
    page = client.get(reverse("volunteering:roster", args=[served.pk])).content.decode()
    assert "全部认证" in page
    assert client.post(reverse("volunteering:hours_certify", args=[served.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.state == HoursState.CERTIFIED and entry.certified_by == leader
    correct = reverse("volunteering:hours_correct", args=[entry.pk])
    before = events()
    over = client.post(correct, {"hours": "5", "reason": "记错了"})
    assert over.status_code == 422 and events() == before  # over the activity's two hours
    assert client.post(correct, {"hours": "1.5", "reason": "提前离开半小时"}).status_code == 302
    entry.refresh_from_db()
    assert entry.hours == 1.5
    fix = HoursCorrection.objects.get(entry=entry)
    assert (fix.old_hours, fix.new_hours, fix.reason, fix.changed_by) == (2, 1.5, "提前离开半小时", leader)
    assert as_user(client, accounts["resident"]).post(correct, {"hours": "2", "reason": "x"}).status_code == 403


def test_a_proposed_entry_corrected_keeps_the_proposed_value(client, served, volunteer, leader):
    services.hours_propose(activity=served)
    entry = ServiceHours.objects.get(activity=served, volunteer=volunteer)
    as_user(client, leader).post(reverse("volunteering:hours_correct", args=[entry.pk]),
                                 {"hours": "1", "reason": "中途离开"})
    entry.refresh_from_db()
    assert entry.state == HoursState.CERTIFIED and entry.hours == 1
    assert HoursCorrection.objects.get(entry=entry).old_hours == 2


def test_someone_else_cannot_certify(client, served, accounts):
    services.hours_propose(activity=served)
    before = events()
    assert as_user(client, accounts["other_community_staff"]).post(
        reverse("volunteering:hours_certify", args=[served.pk])).status_code == 403
    assert events() == before


# --- The volunteer's record ---

def test_my_record_shows_number_hours_stars_and_services(client, certified, volunteer, accounts):
    page = as_user(client, accounts["resident"]).get(reverse("volunteering:mine")).content.decode()
    assert volunteer.number in page and "上周六环境清洁" in page and "☆☆☆☆☆" in page
    assert "已认证" in page and "提出异议" in page
    assert reverse("volunteering:export") in page


def test_a_volunteer_queries_an_entry(client, certified, accounts):
    as_user(client, accounts["resident"])
    response = client.post(reverse("volunteering:hours_query", args=[certified.pk]), {"reason": "我待了三个小时"})
    assert response.status_code == 302
    certified.refresh_from_db()
    assert certified.state == HoursState.QUERIED and certified.query_reason == "我待了三个小时"
    before = events()
    assert client.post(reverse("volunteering:hours_query", args=[certified.pk]), {"reason": "再问"}).status_code == 409
    assert events() == before


def test_someone_elses_entry_cannot_be_queried(client, certified, accounts, member_volunteer):
    assert as_user(client, accounts["party_member"]).post(
        reverse("volunteering:hours_query", args=[certified.pk]), {"reason": "x"}).status_code == 404


def test_the_record_exports_as_excel(client, certified, accounts):
    response = as_user(client, accounts["resident"]).get(reverse("volunteering:export"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]


def test_without_a_volunteer_record_my_page_offers_registering(client, accounts):
    page = as_user(client, accounts["party_member"]).get(reverse("volunteering:mine")).content.decode()
    assert reverse("volunteering:register") in page
    assert client.get(reverse("volunteering:export")).status_code == 404


def test_a_volunteer_requests_a_certificate_and_downloads_it(client, certified, volunteer, community_office,
                                                            accounts):
    as_user(client, accounts["resident"])
    page = client.get(reverse("volunteering:mine")).content.decode()
    assert "天庆嘉园社区居民委员会" in page  # the community office may issue
    today = timezone.localdate()
    response = client.post(reverse("volunteering:certificate_request"), {
        "first_day": (today - datetime.timedelta(days=30)).isoformat(), "last_day": today.isoformat(),
        "issuer": community_office.pk, "person_in_charge": "李主任", "contact": "0931-8123456"})
    assert response.status_code == 302
    certificate = Certificate.objects.get(volunteer=volunteer)
    assert certificate.hours == 2 and certificate.number.startswith("ZYZM-")
    download = client.get(reverse("volunteering:certificate", args=[certificate.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content[:5] == b"%PDF-"


def test_a_certificate_with_no_certified_hours_is_refused(client, volunteer, community_office, accounts):
    as_user(client, accounts["resident"])
    before = events()
    today = timezone.localdate()
    response = client.post(reverse("volunteering:certificate_request"), {
        "first_day": (today - datetime.timedelta(days=30)).isoformat(), "last_day": today.isoformat(),
        "issuer": community_office.pk, "person_in_charge": "李主任", "contact": "0931-8123456"})
    assert response.status_code == 422 and events() == before


def test_someone_elses_certificate_is_missing(client, certificate, accounts, member_volunteer):
    url = reverse("volunteering:certificate", args=[certificate.pk])
    assert as_user(client, accounts["party_member"]).get(url).status_code == 404


# --- Public verification ---

def test_the_verification_page_shows_the_certificate_and_nothing_personal(client, certificate, volunteer):
    page = client.get(reverse("volunteering:verify", args=[certificate.number]))
    text = page.content.decode()
    assert page.status_code == 200
    assert certificate.number in text and "resident用户" in text and "天庆嘉园社区居民委员会" in text
    assert "2.00" in text or ">2<" in text
    assert "13900000008" not in text and "0931-8123456" not in text and volunteer.number not in text


def test_an_altered_number_is_not_found(client, certificate):
    altered = certificate.number[:-1] + ("A" if certificate.number[-1] != "A" else "B")
    page = client.get(reverse("volunteering:verify", args=[altered]))
    assert page.status_code == 404 and "未找到该证明" in page.content.decode()
    serial = re.sub(r"-(\d{6})-", lambda m: f"-{int(m[1]) + 1:06d}-", certificate.number)
    assert client.get(reverse("volunteering:verify", args=[serial])).status_code == 404


def test_the_verify_form_sends_to_the_number(client, certificate):
    response = client.get(reverse("volunteering:verify_form"), {"number": certificate.number.lower()})
    assert response.status_code == 302 and certificate.number in response["Location"]
    assert client.get(reverse("volunteering:verify_form")).status_code == 200


# --- The organiser's activities ---

def test_the_organiser_creates_a_weekly_series(client, leader, team, tree):
    as_user(client, leader)
    assert client.get(reverse("volunteering:activity_create")).status_code == 200
    day = timezone.localdate() + datetime.timedelta(days=2)
    response = client.post(reverse("volunteering:activity_create"), {
        "organiser": f"team:{team.pk}", "kind": "clean_up", "name": "每周六环境清洁", "place": tree["tqjy"].code,
        "day": day.isoformat(), "start": "08:30", "end": "10:30", "capacity": "20", "description": "",
        "repeat_until": (day + datetime.timedelta(days=21)).isoformat(), "is_published": "on"})
    assert response.status_code == 302
    made = Activity.objects.filter(name="每周六环境清洁").order_by("starts_at")
    assert made.count() == 4 and all(a.series_id == made[0].pk for a in made[1:])
    listed = client.get(reverse("volunteering:organise")).content.decode()
    assert listed.count("每周六环境清洁") == 4


def test_the_activity_form_refuses_an_end_before_the_start(client, leader, team, tree):
    as_user(client, leader)
    before = events()
    response = client.post(reverse("volunteering:activity_create"), {
        "organiser": f"team:{team.pk}", "kind": "clean_up", "name": "x", "place": tree["tqjy"].code,
        "day": timezone.localdate().isoformat(), "start": "10:00", "end": "09:00"})
    assert response.status_code == 422 and events() == before


def test_a_resident_does_not_organise(client, accounts, activity):
    as_user(client, accounts["resident"])
    assert client.get(reverse("volunteering:organise")).status_code == 403
    assert client.get(reverse("volunteering:activity_create")).status_code == 403
    assert client.get(reverse("volunteering:activity_update", args=[activity.pk])).status_code == 403


def test_the_organiser_edits_and_cancels(client, activity, leader, volunteer):
    services.signup_create(actor=volunteer.person.user, activity=activity)
    as_user(client, leader)
    url = reverse("volunteering:activity_update", args=[activity.pk])
    assert client.get(url).status_code == 200
    local = timezone.localtime(activity.starts_at)
    response = client.post(url, {
        "organiser": f"team:{activity.team_id}", "kind": "clean_up", "name": "天庆嘉园周六大扫除",
        "place": activity.place.code, "day": local.date().isoformat(), "start": local.strftime("%H:%M"),
        "end": (local + datetime.timedelta(hours=2)).strftime("%H:%M"), "capacity": "5", "is_published": "on"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.name == "天庆嘉园周六大扫除" and activity.capacity == 5
    cancel = reverse("volunteering:activity_cancel", args=[activity.pk])
    assert client.post(cancel, {"reason": ""}).status_code == 422
    assert client.post(cancel, {"reason": "暴雨预警"}).status_code == 302
    activity.refresh_from_db()
    assert activity.is_cancelled


def test_community_staff_organise_with_their_office(client, accounts, community_office, tree):
    as_user(client, accounts["community_staff"])
    page = client.get(reverse("volunteering:activity_create")).content.decode()
    assert f"organisation:{community_office.pk}" in page
    assert Organisation.objects.filter(pk=community_office.pk).exists()
