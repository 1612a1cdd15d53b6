"""No page answers bad input with a 5xx (issue 12): every URL pattern of minsheng.urls but the API's and the
admin's, with hostile values in each path parameter, and in each query parameter (GET) and form field (POST) the
page reads, as a visitor, a resident and community staff.

Which parameters a page reads is found by asking it: while a request runs, the request's QueryDicts record every
key looked up, and each key found is sent again with each hostile value (a form's fields, read once the form is
bound, are found by the request that bound it). A form is sent filled in validly but for the one hostile field,
so that the value reaches the service behind the form. Each request runs in a savepoint rolled back after it, so
every request meets the same records; a download is read to its end. CI's second stage runs this on PostgreSQL
too, where NUL characters and integers beyond 64 bits are refused differently than on SQLite."""

import datetime
import logging
import sys
import traceback
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.models import InboxLine
from interop.services import open311_client_issue
from needs.forms import ACTION_FORMS
from needs.models import Category
from needs.services import need_act, need_submit
from needs.workflow import ACTIONS
from offers.services import booking_request, offer_create, session_create
from people.services import member_report, membership_create, party_organisation_create
from places.forms import PLACE_PICKERS
from rosters import services as roster_services
from rosters.specs import ROSTERS
from rosters.tests.helpers import xlsx_file
from sites.services import item_create, loan_create, site_create
from volunteering import services as volunteering

SKIPPED = ("api/", "admin/")  # the API has its own fuzzing gate (bin/api-fuzz); the admin is Django's

# Hostile values of a path parameter, by its converter ("digits": a re_path's \d+, which matches any Unicode digit).
PATH_VALUES = {
    "int": ["9223372036854775808", "0"],  # one beyond the largest id a BIGINT holds
    "str": ["a\x00b", "9" * 30, "长" * 2000, "²"],
    "slug": ["x" * 1000],
    "uuid": [str(uuid.UUID(int=0))],
    "digits": ["99999999999999999999", "١٢٣"],
    "path": ["sites/\x00.jpg", "sites/../../settings.py"],
}

# Hostile values of a query parameter or form field.
VALUES = [
    "99999999999999999999",  # beyond 64 bits
    "-1", "1e30", "²",  # below zero, not an integer, a digit that int() refuses
    "a\x00b",  # NUL: PostgreSQL refuses it
    "长" * 3000,  # longer than any field
    "9999-12-31", "0001-01-01", "2021-02-30",  # the last and first dates, and one that does not exist
    ["1", "2"],  # several values for one
]
PERIODS = ["0000", "9999", "9999-Q4"]  # the ledger's periods at the calendar's ends (query strings only)
FILE = "file"  # stands for an upload that is not an image, its name with a NUL (form bodies only)

# Keys a page reads by going through the whole QueryDict, not by looking one up: given to it from the start.
SEEDS = {
    "ledger:records": ["figure", "month", "state", "category", "concern_level", "channel", "grid", "unit",
                       "member", "rating", "team", "community", "kind"],
    "needs:text_check": ["resolve-note", "rate-comment", "resolve-evidence"],
}
# The logout and login pages end or change the session: the client signs in again after them.
SIGNS_OUT = ("logout", "login")


def url_patterns(resolver=None, prefix="", namespace="", converters=None):
    """(name, route, {parameter: converter kind}) for every pattern, the skipped ones left out."""
    resolver = resolver or get_resolver("minsheng.urls")
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.lstrip("^").startswith(SKIPPED):
            continue
        kinds = {**(converters or {}), **_kinds(pattern)}
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, ns, kinds)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else None, route, kinds


def _kinds(pattern) -> dict:
    converters = getattr(pattern.pattern, "converters", {})
    if converters:
        return {name: type(c).__name__.removesuffix("Converter").lower().replace("string", "str")
                for name, c in converters.items()}
    groups = pattern.pattern.regex.groupindex
    return {name: "path" if name == "path" else "digits" if name == "need_id" else "fixed" for name in groups}


@pytest.fixture
def world(root, tree, unit, accounts, settings, tmp_path):
    """Real records for each page: a need in each state a page acts on, a site, a member's report, a notification
    and a roster import; and for each form page, a body that fills the form in validly.
    {page: [(path parameters, form body)]}, and "default" path parameters for the other pages."""
    settings.VAR_DIR = tmp_path
    staff, resident, unit_admin = accounts["community_staff"], accounts["resident"], accounts["unit_admin"]
    category = Category.objects.get_or_create(name="加装电梯", defaults={"keywords": "电梯"})[0]

    def need(title, *actions):
        n = need_submit(actor=resident, title=title, description="老人上下楼困难", place=tree["building"],
                        category=category)
        for actor, action, fields in actions:
            n = need_act(actor=actor, need=n, action=action, **fields)
        return n

    accept = (staff, "accept", {"category": category, "concern_level": "worry"})
    publish = (staff, "publish", {})
    claim = (unit_admin, "claim", {})
    resolve = (unit_admin, "resolve", {"note": "已加装", "evidence": "居民签字"})
    needs = {"submitted": need("4号楼3单元加装电梯"), "published": need("10号楼楼道灯不亮", accept, publish),
             "claimed": need("小区门口积水", accept, publish, claim),
             "resolved": need("健身器材损坏", accept, publish, claim, resolve)}
    org, note = unit["organisation"].pk, "已电话联系居民"
    acts = {  # each action with a form: the need it is taken on, and the form filled in
        "accept": ("submitted", {"category": category.pk, "concern_level": "worry", "is_public": "on"}),
        "reject": ("submitted", {"note": note}), "merge": ("submitted", {"into": needs["published"].pk}),
        "dispatch": ("published", {"holder": f"organisation:{org}"}),
        "claim": ("published", {"organisation": org}), "return": ("claimed", {"note": note}),
        "progress": ("claimed", {"note": note}), "add_collaborator": ("claimed", {"organisation": org}),
        "escalate": ("claimed", {"note": note}), "resolve": ("claimed", {"note": note, "evidence": note}),
        "verify": ("resolved", {"note": note}), "rate": ("resolved", {"rating": "satisfied", "comment": note}),
        "follow_up": ("resolved", {"rating": "satisfied", "note": note}), "reopen": ("resolved", {"note": note})}
    assert set(acts) == set(ACTION_FORMS)
    act_pages = [({"pk": needs[acts[a][0]].pk if a in acts else needs["claimed"].pk, "action": a},
                  {f"{a}-{k}": v for k, v in acts[a][1].items()} if a in acts else {}) for a in ACTIONS]
    membership = membership_create(actor=root, person=accounts["party_member"].person,
                                   party_organisation=unit["branch"])
    report = member_report(actor=root, membership=membership, community=tree["tqjy"],
                           reported_on=datetime.date(2021, 6, 1))
    committee = party_organisation_create(actor=root, level="committee", name="天庆嘉园社区党委", place=tree["tqjy"])
    grid_branch = party_organisation_create(actor=root, level="branch", name="天庆嘉园第一网格党支部",
                                            place=tree["grid1"], parent=committee)
    site = site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["grid1"])
    plasters = item_create(actor=root, site=site, kind="consumable", name="创可贴", unit="片", stock=20, low_stock=3)
    umbrellas = item_create(actor=root, site=site, kind="lendable", name="雨伞", unit="把", units=3)
    loan = loan_create(actor=root, item=umbrellas, borrower_name="李先生", borrower_phone="13800001111")
    roster_import = roster_services.roster_import_create(
        actor=staff, roster=ROSTERS["places"], uploaded=xlsx_file([["编码", "名称", "类型", "上级编码"],
                                                                   ["620102010001002", "第二网格", "网格",
                                                                    "620102010001"]]))
    roster_services.roster_import_check(roster_import=roster_import)
    notification = InboxLine.objects.filter(user=staff).first()
    person = accounts["resident"].person
    day = "2021-06-02"
    person_form = {"name": "张三", "phone": "13900001111", "home": tree["entrance"].code, "room": "101",
                   "is_resident": "on"}
    organisation_form = {"kind": "co_building_unit", "name": "兰州某公司", "place": tree["grid1"].code}
    site_form = {"kind": "station", "name": "便民服务点", "place": tree["grid1"].code, "opened_on": day}
    place_form = {"kind": "compound", "name": "天庆嘉园B区", "code": tree["grid1"].code + "002", "buildings": "3"}
    offer = offer_create(actor=unit_admin, kind="transport", name="免费接送", organisation=unit["organisation"],
                         communities=[tree["tqjy"]], is_published=True)
    start = timezone.now() + datetime.timedelta(days=3)
    session = session_create(actor=unit_admin, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(
        hours=1), capacity=3)
    booking = booking_request(actor=resident, session=session, note=note)
    offer_form = {"kind": "clinic", "name": "义诊", "organisation": org, "communities": tree["tqjy"].pk,
                  "min_notice_hours": "2", "horizon_days": "30", "cancel_notice_hours": "0", "per_person_days": "30",
                  "confirmation": "automatic", "eligibility": "elderly", "bookable": "on", "is_published": "on"}
    offers_pages = {
        "offers:detail": [({"pk": offer.pk}, {})],
        "offers:book": [({"pk": session.pk}, {"seats": "1", "note": note, "person": str(person.pk)})],
        "offers:book_pick": [({"pk": session.pk}, {})],
        "offers:booking": [({"pk": booking.pk}, {})],
        "offers:booking_act": [({"pk": booking.pk, "action": a}, {"reason": note, "next": "mine"}) for a in (
            "cancel", "decline", "confirm", "fulfil", "mark_no_show", "take_place")],
        "offers:booking_contact": [({"pk": booking.pk}, {"next": "provider"})],
        "offers:offer_create": [({}, offer_form)],
        "offers:offer_update": [({"pk": offer.pk}, offer_form)],
        "offers:sessions": [({"pk": offer.pk}, {})],
        "offers:session_create": [({"pk": offer.pk}, {"day": (start + datetime.timedelta(days=1)).date().isoformat(),
                                                      "start": "09:00", "end": "10:00", "capacity": "2"})],
        "offers:sessions_repeat": [({"pk": offer.pk}, {"weekdays": "0", "start": "09:00", "end": "10:00",
                                                       "first_day": start.date().isoformat(),
                                                       "last_day": (start + datetime.timedelta(days=14)).date()
                                                       .isoformat(), "capacity": "2"})],
        "offers:session_cancel": [({"pk": session.pk}, {"reason": note})],
    }
    volunteering_pages = _volunteering_world(root, tree, staff, resident, note)
    meetings_pages = _meetings_world(root, tree, staff, unit, needs["published"], note)
    mediation_pages = _mediation_world(root, tree, staff, resident, note)
    open311_form = {"api_key": open311_client_issue(actor=root, name="兰州市12345热线")[1],
                    "service_code": str(category.pk), "lat": "36.055", "long": "103.885", "description": "路灯不亮",
                    "attribute[concern_level]": "worry", "attribute[affected]": "3", "phone": "13900001111"}
    return {
        **offers_pages,
        **volunteering_pages,
        **meetings_pages,
        **mediation_pages,
        "needs:submit": [({}, {"title": "楼道灯不亮", "place": tree["building"].code, "affected": "3",
                               "channel": "field_visit", "concern_level": "worry", "is_public": "on"})],
        "needs:detail": [({"pk": n.pk}, {}) for n in needs.values()],
        "needs:proof": [({"pk": n.pk}, {}) for n in needs.values()],
        "needs:proof_json": [({"pk": n.pk}, {}) for n in needs.values()],
        "needs:act": act_pages,
        "needs:bulk": [({}, {"action": "reject", "note": note, "need": needs["submitted"].pk,
                             "next": "/needs/triage/"})],
        "needs:text_check": [({"pk": needs["published"].pk}, {})],
        "needs:pick": [({"pk": needs["submitted"].pk, "action": "merge", "field": "into"}, {}),
                       ({"pk": needs["published"].pk, "action": "dispatch", "field": "holder"}, {})],
        "inbox_open": [({"pk": notification.pk if notification else 1}, {})],
        "needs:track_detail": [({"reference": needs["submitted"].reference}, {})],
        "needs:callback_reveal": [({"pk": needs["resolved"].pk}, {})],
        "needs:callback_record": [({"pk": needs["resolved"].pk}, {"rating": "satisfied", "note": note})],
        "need_photo": [({"need_id": str(needs["published"].pk), "token": "0" * 32, "thumb": ""}, {})],
        "public_media": [({"path": "sites/none.jpg"}, {})],
        "people:organisation_create": [({}, organisation_form)],
        "people:organisation_update": [({"pk": org}, organisation_form)],
        "people:person_create": [({}, person_form)],
        "people:person_update": [({"pk": person.pk}, person_form)],
        "people:person": [({"pk": person.pk}, {"reason": note})],
        "people:member_report": [({"pk": membership.pk}, {"community": tree["tqjy"].pk, "reported_on": day})],
        "people:member_place": [({"pk": report.pk}, {"grid_branch": grid_branch.pk, "placed_on": day})],
        "people:coverage_create": [({"code": tree["grid1"].code}, {"organisation": org, "since": day})],
        "places:place_create": [({"code": tree["grid1"].code}, place_form)],
        "places:place_update": [({"code": tree["compound"].code}, {"name": "天庆嘉园A区",
                                                                  "code": tree["compound"].code})],
        "places:pick": [({"picker": name}, {}) for name in PLACE_PICKERS],
        "sites:site_create": [({}, site_form)],
        "sites:site_update": [({"pk": site.pk}, site_form)],
        "sites:detail": [({"pk": site.pk}, {})],
        "sites:poster": [({"pk": site.pk}, {})],
        "sites:desk": [({"pk": site.pk}, {})],
        "sites:history": [({"pk": site.pk}, {})],
        "sites:stock": [({"pk": site.pk}, {"item": plasters.pk, "kind": "given_out", "quantity": "2", "reason": note,
                                            "recipient": "李先生"})],
        "sites:lend": [({"pk": site.pk}, {"item": umbrellas.pk, "borrower_name": "张三",
                                           "borrower_phone": "13900001111",
                                           "due_on": str(datetime.date.today() + datetime.timedelta(days=3))})],
        "sites:borrower_pick": [({"pk": site.pk}, {})],
        "sites:item_create": [({"pk": site.pk}, {"kind": "consumable", "name": "针线", "unit": "套", "stock": "5",
                                                 "low_stock": "1", "units": "0", "loan_days": "7"})],
        "sites:item_update": [({"pk": plasters.pk}, {"name": "创可贴", "unit": "片", "low_stock": "2",
                                                     "active": "on"})],
        "sites:loan_return": [({"pk": loan.pk}, {})],
        "sites:loan_lost": [({"pk": loan.pk}, {"note": note})],
        "site_short": [({"pk": site.pk}, {})],
        "places:poster": [({"code": tree["building"].code}, {})],
        "places:posters": [({"code": tree["tqjy"].code}, {})],
        "place_short": [({"code": tree["building"].code}, {})],
        "rosters:template": [({"slug": slug}, {}) for slug in ROSTERS],
        "rosters:export": [({"slug": slug}, {}) for slug in ROSTERS],
        "rosters:upload": [({"slug": "places"}, {})],
        **{f"rosters:{name}": [({"pk": roster_import.pk}, {})] for name in ("preview", "confirm", "cancel",
                                                                           "error_report")},
        "login": [({}, {"username": staff.username, "password": "not-the-password"})],
        # Open311 (interop.open311_urls): each operation in both formats; a request filed with a client's key.
        **{f"open311:{name}": [({"fmt": fmt, **params}, body) for fmt in ("json", "xml")] for name, params, body in (
            ("discovery", {}, {}), ("services", {}, {}), ("service", {"code": category.pk}, {}),
            ("requests", {}, open311_form), ("request", {"request_id": needs["published"].pk}, {}),
            ("token", {"token": needs["published"].reference}, {}))},
        "checkpoint_json": [({"number": 1}, {})],  # none signed here: its 404 in JSON
        "default": {"code": tree["tqjy"].code, "pk": org},
    }


def _volunteering_world(root, tree, staff, resident, note):
    """The volunteering pages' records: the resident a volunteer signed up for a clean-up about to start (check-in
    open), last week's clean-up with their certified hours and a certificate; staff of 天庆嘉园 organise both."""
    from people.services import organisation_create, team_create
    from volunteering.models import Signup

    now = timezone.now().replace(microsecond=0)
    team = team_create(actor=root, name="红色长城护卫队", community=tree["tqjy"])
    office = organisation_create(actor=root, kind="community_office", name="天庆嘉园社区居民委员会",
                                 place=tree["tqjy"], contact_phone="0931-8123456")
    volunteer = volunteering.volunteer_register(actor=resident, person=resident.person)
    start = now + datetime.timedelta(minutes=20)
    soon = volunteering.activity_create(actor=staff, kind="clean_up", name="周六环境清洁", place=tree["tqjy"],
                                        starts_at=start, ends_at=start + datetime.timedelta(hours=2), team=team,
                                        capacity=5)
    signup = volunteering.signup_create(actor=resident, activity=soon)
    begun = now - datetime.timedelta(days=7)
    past = volunteering.activity_create(actor=staff, kind="clean_up", name="上周环境清洁", place=tree["tqjy"],
                                        starts_at=begun, ends_at=begun + datetime.timedelta(hours=2),
                                        organisation=office, at=begun - datetime.timedelta(days=2))
    volunteering.signup_create(actor=resident, activity=past, at=begun - datetime.timedelta(days=1))
    volunteering.checkin(actor=resident, activity=past, code=past.checkin_code, at=begun)
    volunteering.checkout(actor=resident, signup=Signup.objects.get(activity=past, volunteer=volunteer),
                          at=begun + datetime.timedelta(hours=2))
    entry = volunteering.hours_propose(activity=past)[0]
    volunteering.hours_certify(actor=staff, entries_or_activity=past)
    certificate = volunteering.certificate_issue(
        actor=resident, volunteer=volunteer, first_day=begun.date(), last_day=timezone.localdate(), issuer=office,
        person_in_charge="李主任", contact="0931-8123456")
    day = (now + datetime.timedelta(days=2)).date().isoformat()
    activity_form = {"organiser": f"organisation:{office.pk}", "kind": "clean_up", "name": "环境清洁",
                     "place": tree["tqjy"].code, "day": day, "start": "08:30", "end": "10:30", "capacity": "10",
                     "description": note, "repeat_until": "", "is_published": "on"}
    code = {"pk": soon.pk, "code": soon.checkin_code}
    return {
        "volunteering:detail": [({"pk": soon.pk}, {})],
        "volunteering:signup": [({"pk": soon.pk}, {})],
        "volunteering:signup_cancel": [({"pk": signup.pk}, {"next": "/volunteering/"})],
        "volunteering:register": [({}, {"name_public": "on", "id_card_number": "", "next": "/volunteering/"})],
        "volunteering:checkin_code": [({"pk": soon.pk}, {})],
        "volunteering:checkin": [(code, {})],
        "volunteering:checkin_do": [(code, {"action": "in"}), (code, {"action": "out"})],
        "volunteering:roster": [({"pk": soon.pk}, {}), ({"pk": past.pk}, {})],
        "volunteering:roster_tick": [({"pk": soon.pk}, {"signup": signup.pk, "action": "in"})],
        "volunteering:walk_in": [({"pk": soon.pk}, {"person": resident.person.pk, "person_q": ""})],
        "volunteering:walk_in_pick": [({"pk": soon.pk}, {})],
        "volunteering:hours_propose": [({"pk": past.pk}, {})],
        "volunteering:hours_certify": [({"pk": past.pk}, {})],
        "volunteering:hours_correct": [({"pk": entry.pk}, {"hours": "1.5", "reason": note})],
        "volunteering:hours_query": [({"pk": entry.pk}, {"reason": note})],
        "volunteering:certificate_request": [({}, {"first_day": begun.date().isoformat(),
                                                   "last_day": timezone.localdate().isoformat(),
                                                   "issuer": office.pk, "person_in_charge": "李主任",
                                                   "contact": "0931-8123456"})],
        "volunteering:certificate": [({"pk": certificate.pk}, {})],
        "volunteering:verify": [({"number": certificate.number}, {})],
        "volunteering:verify_form": [({}, {})],
        "volunteering:activity_create": [({}, activity_form)],
        "volunteering:activity_update": [({"pk": soon.pk}, activity_form)],
        "volunteering:activity_cancel": [({"pk": soon.pk}, {"reason": note})],
    }


def _meetings_world(root, tree, staff, unit, need, note):
    """The meetings pages' records: 天庆嘉园's 社工委 (a resident and the unit on its seats), a meeting scheduled and
    one held with everyone present, its draft minutes, a resolution proposed and one adopted."""
    from meetings import services as meetings
    from people.services import committee_member_add, person_create

    since = datetime.date(2021, 9, 10)
    person = person_create(actor=root, name="张建国", phone="13911112222", home=tree["entrance"], is_resident=True)
    committee_member_add(actor=root, community=tree["tqjy"], since=since, person=person, represents="居委会")
    committee_member_add(actor=root, community=tree["tqjy"], since=since, organisation=unit["organisation"],
                         represents="驻区单位")
    body = meetings.body_create(actor=staff, kind="committee", name="天庆嘉园社区社工委", place=tree["tqjy"],
                                founded_on=since)
    council = meetings.body_create(actor=staff, kind="council", name="天庆嘉园居民议事会", place=tree["tqjy"])
    member = meetings.member_add(actor=staff, body=council, person=person, since=since)
    now = timezone.now().replace(microsecond=0)
    later = meetings.meeting_schedule(actor=staff, body=body, title="社工委第二次会议",
                                      starts_at=now + datetime.timedelta(days=3), agenda=["议题一"])
    held = meetings.meeting_schedule(actor=staff, body=body, title="社工委第一次会议",
                                     starts_at=now - datetime.timedelta(hours=3), agenda=["通过社工委章程"])
    meetings.attendance_record(actor=staff, meeting=held, presence={
        a: "present" for a in held.attendances.values_list("member_id", flat=True)})
    meetings.meeting_hold(actor=staff, meeting=held)
    minutes = meetings.minutes_write(actor=staff, meeting=held, text="会议审议通过社工委章程。")
    proposed = meetings.resolution_propose(actor=staff, meeting=held, title="楼道清理")
    adopted = meetings.resolution_propose(actor=staff, meeting=held, title="通过社工委章程")
    meetings.resolution_decide(actor=staff, resolution=adopted, votes_for=2, votes_against=0, votes_abstain=0)
    p, a = f"r{proposed.pk}", f"r{adopted.pk}"
    meeting_form = {"title": "社工委第三次会议", "day": (now + datetime.timedelta(days=5)).date().isoformat(),
                    "start": "14:00", "end": "16:00", "location": "会议室", "agenda": "议题一", "guests": note,
                    "is_public": "on"}
    return {
        "meetings:list": [({}, {})],
        "meetings:body_create": [({}, {"kind": "council", "name": "五里铺东居民议事会", "place": tree["wlpd"].code,
                                       "founded_on": "2021-06-02", "quorum_numerator": "1", "quorum_denominator": "2",
                                       "quorum_strict": "on", "pass_numerator": "1", "pass_denominator": "2",
                                       "pass_strict": "on", "pass_base": "present"})],
        "meetings:body": [({"pk": body.pk}, {})],
        "meetings:member_add": [({"pk": council.pk}, {"person": str(person.pk), "person_q": "",
                                                      "represents": "3号楼居民", "since": "2021-06-02"}),
                                ({"pk": body.pk}, {"seat": "", "since": "2021-06-02"})],
        "meetings:member_pick": [({"pk": council.pk, "field": "person"}, {}),
                                 ({"pk": council.pk, "field": "organisation"}, {})],
        "meetings:member_end": [({"pk": member.pk}, {"until": "2021-10-02"})],
        "meetings:meeting_create": [({"pk": body.pk}, meeting_form)],
        "meetings:meeting": [({"pk": held.pk}, {}), ({"pk": later.pk}, {})],
        "meetings:meeting_update": [({"pk": later.pk}, meeting_form)],
        "meetings:agenda_add": [({"pk": later.pk}, {"title": "议题二", "description": note})],
        "meetings:attendance": [({"pk": later.pk}, {f"m{m}": "present" for m in later.attendances.values_list(
            "member_id", flat=True)})],
        "meetings:meeting_hold": [({"pk": later.pk}, {})],
        "meetings:meeting_cancel": [({"pk": later.pk}, {"reason": note})],
        "meetings:minutes_write": [({"pk": held.pk}, {"text": note})],
        "meetings:minutes_revise": [({"pk": held.pk}, {"text": note, "reason": note})],
        "meetings:minutes_version": [({"pk": held.pk, "version": "1"}, {})],
        "meetings:minutes_approve": [({"pk": minutes.pk}, {})],
        "meetings:minutes_publish": [({"pk": minutes.pk}, {})],
        "meetings:attachment_add": [({"pk": minutes.pk}, {"name": "签到表"})],
        "meetings:resolution_propose": [({"pk": held.pk}, {"title": "加装电梯", "text": note, "vote_mode": "counts"})],
        "meetings:resolution_decide": [({"pk": proposed.pk}, {f"{p}-votes_for": "2", f"{p}-votes_against": "0",
                                                              f"{p}-votes_abstain": "0"})],
        "meetings:vote": [({"pk": proposed.pk}, {f"{p}o-choice": "for"})],
        "meetings:resolution_withdraw": [({"pk": proposed.pk}, {})],
        "meetings:resolution_done": [({"pk": adopted.pk}, {f"{a}d-note": note})],
        "meetings:need_create": [({"pk": adopted.pk}, {"title": "加装电梯", "place": tree["building"].code,
                                                       "description": note, "affected": "3"})],
        "meetings:need_link": [({"pk": adopted.pk}, {f"{a}l-need": str(need.pk)})],
        "meetings:need_pick": [({"pk": adopted.pk}, {})],
        "meetings:activity_create": [({"pk": adopted.pk}, {
            "organiser": f"organisation:{unit['organisation'].pk}", "kind": "clean_up", "name": "环境清洁",
            "place": tree["tqjy"].code, "day": meeting_form["day"], "start": "08:30", "end": "10:30",
            "capacity": "10", "description": note})],
        "meetings:public": [({}, {})],
        "meetings:public_detail": [({"pk": held.pk}, {})],
    }


def _mediation_world(root, tree, staff, resident, note):
    """The mediation pages' records: the building's pair (a head on record), a leak dispute just received, one
    being mediated, one settled by an agreement, and a 邻里纠纷 need to turn into a dispute."""
    from mediation import services as mediation
    from people.services import person_create

    head = person_create(actor=root, name="楼长甲", phone="13922223333", home=tree["entrance"], is_resident=True)
    mediation.building_pair_set(actor=staff, building=tree["building"], head=head, since=datetime.date(2021, 1, 1))
    parties = [{"role": "applicant", "name": "张三", "phone": "13598765432", "address": "2单元502"},
               {"role": "respondent", "person": head}]

    def dispute(*steps):
        d = mediation.dispute_receive(actor=staff, kind="leak", title="楼上漏水", place=tree["entrance"],
                                      parties=parties)
        for step in steps:
            d = step(d)
        return d

    received = dispute()
    mediating = dispute(lambda d: mediation.dispute_assess(actor=staff, dispute=d, note=note),
                        lambda d: mediation.dispute_mediate(actor=staff, dispute=d))
    today = timezone.localdate()
    agree = {"facts": note, "terms": note, "performance": note, "perform_by": today, "signed_on": today}
    agreed = dispute(lambda d: mediation.dispute_assess(actor=staff, dispute=d, note=note),
                     lambda d: mediation.dispute_mediate(actor=staff, dispute=d),
                     lambda d: mediation.dispute_agree(actor=staff, dispute=d, **agree).dispute)
    category = Category.objects.get_or_create(name="邻里纠纷")[0]
    need = need_submit(actor=resident, title="楼上漏水", description=note, place=tree["entrance"], category=category)
    party = received.parties.first()
    return {
        "mediation:list": [({}, {"q": "漏水", "state": "open", "kind": "leak", "level": "building", "overdue": "on",
                                 "place": tree["tqjy"].code})],
        "mediation:receive": [({}, {"kind": "leak", "title": "楼上漏水", "place": tree["entrance"].code,
                                    "description": note, "p1-role": "applicant", "p1-name": "张三",
                                    "p1-phone": "13598765432", "p1-address": "2单元502", "p2-role": "respondent",
                                    "p2-person": str(head.pk), "p2-person_q": "", "p3-role": "other"})],
        "mediation:receive_pick": [({}, {})],
        "mediation:from_need": [({"need_id": need.pk}, {"kind": "leak", "title": ""})],
        "mediation:detail": [({"pk": d.pk}, {}) for d in (received, mediating, agreed)],
        "mediation:act": [({"pk": received.pk, "action": "assess"}, {"assess-note": note, "assess-level": "community"}),
                          ({"pk": received.pk, "action": "refuse"}, {"refuse-party": party.pk, "refuse-note": note}),
                          ({"pk": mediating.pk, "action": "agree"}, {f"agree-{k}": str(v) for k, v in agree.items()}),
                          ({"pk": mediating.pk, "action": "no_agreement"}, {"no_agreement-referred_to": "12345热线"}),
                          ({"pk": mediating.pk, "action": "escalate"}, {"escalate-note": note}),
                          ({"pk": agreed.pk, "action": "feed_back"}, {"feed_back-note": note})],
        "mediation:party_add": [({"pk": mediating.pk}, {"party-role": "other", "party-name": "李四",
                                                        "party-phone": "13800001111", "party-address": "2单元702"})],
        "mediation:party_phone": [({"pk": received.pk, "party": party.pk}, {})],
        "mediation:mediator_add": [({"pk": mediating.pk}, {"mediator-kind": "community",
                                                           "mediator-person": str(resident.person.pk)})],
        "mediation:pick": [({"pk": received.pk, "field": "party"}, {})],
        "mediation:agreement": [({"pk": agreed.pk}, {})],
        "mediation:pair_set": [({"code": tree["building"].code}, {"pair-head": str(head.pk), "pair-head_q": "",
                                                                  "pair-since": "2021-01-01"})],
        "mediation:pair_pick": [({"code": tree["building"].code, "field": "head"}, {})],
    }


class Recorder:
    """The keys looked up while a request runs: in the query string (GET) or in the form body (POST)."""

    def __init__(self, monkeypatch):
        self.keys: set[str] = set()
        self.body = False  # which of the two to record
        for name in ("__getitem__", "get", "getlist", "__contains__"):
            original = getattr(QueryDict, name)

            def spy(qd, key, *args, _original=original, **kwargs):
                if isinstance(key, str) and getattr(qd, "is_body", False) == self.body and not _derived(key):
                    self.keys.add(key)
                return _original(qd, key, *args, **kwargs)

            monkeypatch.setattr(QueryDict, name, spy)
        load = HttpRequest._load_post_and_files

        def load_body(request):
            load(request)
            request._post.is_body = True

        monkeypatch.setattr(HttpRequest, "_load_post_and_files", load_body)


def _derived(key: str) -> bool:
    """A key made of a value we sent (a picker's `<name>_q`, `name` being hostile): not one of the page's."""
    return len(key) > 50 or any(isinstance(v, str) and v in key for v in [*VALUES, *PERIODS])


def _where(kind, error, tb) -> str:
    """The exception and the deepest line of the project's own code it went through."""
    frames = [f for f in traceback.extract_tb(tb) if "/.venv/" not in f.filename and "/tests/" not in f.filename]
    at = f" at {'/'.join(frames[-1].filename.rsplit('/', 2)[-2:])}:{frames[-1].lineno}" if frames else ""
    return f"{kind.__name__}: {str(error)[:150]}{at}"


def _value(value):
    if value is FILE:
        return SimpleUploadedFile("x\x00.jpg", b"not an image", content_type="image/jpeg")
    return value


def _shown(value):
    return f"{value[:10]}…({len(value)})" if isinstance(value, str) and len(value) > 30 else value


class Fuzzer:
    def __init__(self, user, monkeypatch):
        self.user = user
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.recorder = Recorder(monkeypatch)
        self.requests = 0
        self.failures: dict[tuple, str] = {}  # (page, cause): the first request that showed it
        self.errors: list[str] = []
        got_request_exception.connect(self._exception, weak=False)

    def close(self):
        got_request_exception.disconnect(self._exception)

    def _exception(self, sender, request=None, **kwargs):
        self.errors.append(_where(*sys.exc_info()))

    def send(self, name, method, path, data) -> set[str]:
        """One request, in a savepoint rolled back after it; the keys it read."""
        self.recorder.keys, self.recorder.body = set(), method == "POST"
        self.errors = []
        self.requests += 1
        problem = ""
        with transaction.atomic():
            try:
                response = (self.client.get if method == "GET" else self.client.post)(path, data)
                status = response.status_code
                if response.streaming:
                    b"".join(response.streaming_content)
            except Exception:  # noqa: BLE001 — a download that fails while it streams
                status, problem = 500, _where(*sys.exc_info())
            transaction.set_rollback(True)
        if status >= 500:
            cause = problem or "; ".join(self.errors) or f"{status} without an exception"
            self.failures.setdefault((name, cause), f"{status} {method} {path[:100]!r} "
                                                    f"{ {k: _shown(v) for k, v in data.items()} }")
        if self.user is not None and name in SIGNS_OUT:
            self.client.force_login(self.user)
        return set(self.recorder.keys)

    def fuzz(self, name, path, body, *, real: bool):
        """The page as it is, then each key it reads with each hostile value (the rest of the form as filled in),
        then every key at once with a hostile value each. `real`: the path names real records."""
        for method, values, base in (("GET", [*VALUES, *PERIODS], {}), ("POST", [*VALUES, FILE], body)):
            todo = [*(SEEDS.get(name, []) if real else []), *sorted(self.send(name, method, path, base))]
            done: set[str] = set()
            while todo:
                key = todo.pop(0)
                if key in done:
                    continue
                done.add(key)
                for value in values:
                    todo += sorted(self.send(name, method, path, {**base, key: _value(value)}) - done)
            keys = sorted(done)
            for turn in range(2 if keys else 0):
                self.send(name, method, path, {k: _value(values[(turn + i) % len(values)]) for i, k in
                                               enumerate(keys)})


def _pages(name, kinds, world):
    """(path, form body, real?): the page at real records, then with each path parameter hostile in turn."""
    if not kinds:
        for _params, body in world.get(name, [({}, {})]):
            yield reverse(name), body, True
        return
    for params, body in world.get(name, [({}, {})]):
        valid = {k: str(params.get(k, world["default"].get(k, "x"))) for k in kinds}
        yield reverse(name, kwargs=valid), body, True
    for param, kind in kinds.items():
        for value in PATH_VALUES.get(kind, []):
            if path := _reverse_or_none(name, {**valid, param: value}):
                yield path, body, False


def _reverse_or_none(name, kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:  # noqa: BLE001 — a value the pattern cannot hold is not a URL anyone can send
        return None


@pytest.mark.parametrize("who", [None, "resident", "community_staff"])
def test_no_page_answers_bad_input_with_a_server_error(who, world, accounts, monkeypatch, capsys):
    monkeypatch.setattr(logging.getLogger("django.request"), "disabled", True)  # the failures are listed below
    patterns = list(url_patterns())
    assert [route for name, route, _kinds in patterns if name is None] == [], "every pattern needs a name"
    fuzzer = Fuzzer(accounts[who] if who else None, monkeypatch)
    try:
        for name, _route, kinds in patterns:
            for path, body, real in _pages(name, kinds, world):
                fuzzer.fuzz(name, path, body, real=real)
    finally:
        fuzzer.close()
    with capsys.disabled():
        print(f"\n{who or 'anonymous'}: {len(patterns)} URL patterns, {fuzzer.requests} requests")
    # A visitor is sent to sign in by most pages, which then read nothing more: fewer requests per pattern.
    assert len(patterns) > 40 and fuzzer.requests > (15 if who is None else 20) * len(patterns)
    problems = [f"{cause}\n    {example}" for (_name, cause), example in fuzzer.failures.items()]
    assert not problems, "\n".join([f"{len(problems)} causes of a server error:", *problems])
