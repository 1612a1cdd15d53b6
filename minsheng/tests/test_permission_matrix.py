"""The permission matrix (issue 12, item 7): every demo role × every page with an object and every API operation ×
an object inside and one outside the role's scope → allowed or refused exactly as the rules say.

The expected answer is computed, never written per cell:

- for a need, from what the role is to it — its relations, read here from the role's scope as the relation table
  at the top of needs/workflow.py defines them (and checked against needs.permissions.relations_to) — and from the
  action's record (`who`, `subdistrict_only_from`, its guard) through needs.permissions.may_act;
- for places, people, organisations, sites, ledgers and rosters, from the role table of docs/product.md
  ("Who uses it"): CAN below says which roles may do what inside their scope; outside it only a superuser may.

How a refusal answers (docs/product.md §10, "Scope and authorisation"): a read refused answers as for a missing
object (404); a write refused on an object the user may read answers 403, on one they may not read 404; a page
or operation the role has no use for at all answers 403 whatever the object; a page for signed-in users sends a
visitor to the login page, an API operation with `security` in the OpenAPI document answers them 401. A refused
write leaves the need as it was and appends no event.

The API's operations are read from /api/v1/openapi.json, so an operation added later either follows a rule of the
matrix (the needs actions do: one per action record) or fails test_every_api_operation_has_a_rule until it does;
the same for pages with an object in their URL (test_every_page_with_an_object_has_a_rule).
"""

import datetime
import io
import re
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core import fonts
from core.models import Event, InboxLine
from needs import permissions, workflow
from needs.models import Category, Need, Photo
from needs.services import need_act, need_submit
from people import scopes
from people.models import MemberReport, Organisation, PartyMembership, Person, PersonalDataAccess, Role
from people.services import (
    api_token_issue,
    member_report,
    membership_create,
    organisation_create,
    party_organisation_create,
    person_create,
)
from places.models import Place
from places.services import place_create
from rosters.models import ImportState, RosterImport
from rosters.specs import ROSTERS
from sites.models import Site
from sites.services import site_create

S = workflow.S
PASSWORD = "minsheng2021"  # the demo's (demo.data.DEMO_PASSWORD)
CELLS: Counter = Counter()  # cells tested, by part of the matrix (printed at the end of the module)


# --- The roles: one demo account each (demo/build.py build_accounts), and its scope -------------------------

@dataclass(frozen=True)
class R:
    key: str
    username: str | None
    role: str = ""  # people.models.Role; "" for the superuser and the visitor


ROLES = [
    R("subdistrict", "jiedao", Role.SUBDISTRICT_ADMIN),
    R("community", "tqjy", Role.COMMUNITY_STAFF),
    R("grid", "wangge", Role.GRID_WORKER),
    R("unit", "dianying", Role.UNIT_ADMIN),
    R("department", "paichusuo", Role.UNIT_ADMIN),  # the admin of a government department (派出所)
    R("member", "dangyuan", Role.PARTY_MEMBER),
    R("resident", "jumin", Role.RESIDENT),
    R("committee", "shegongwei", Role.COMMITTEE_MEMBER),  # 社工委委员 of 天庆嘉园: its committee, not its records
    R("superuser", "admin"),
    R("anonymous", None),
]
PLACE_ROLE_KEYS = {"subdistrict": "staff_subdistrict", "community": "staff_community", "grid": "grid_worker"}
UNIT_KEYS = ("unit", "department")

# What each role may do inside its scope (docs/product.md, "Who uses it"); outside it, only a superuser.
CAN = {
    "change_place": {"subdistrict", "community"},  # places, their sites, coverage (grid workers record, not manage)
    "view_person": {"subdistrict", "community", "grid", "unit", "department", "member", "resident", "committee"},
    "view_person_full": {"subdistrict", "community", "grid", "unit", "department", "member", "resident",
                         "committee"},  # their own record, for those who have no one else's
    "change_person": {"subdistrict", "community", "grid", "unit", "department"},
    "member_report": {"subdistrict", "community", "grid", "unit", "department"},  # staff record dual reporting
    "change_organisation": {"subdistrict", "community", "unit", "department"},
    "staff_ledger": {"subdistrict", "community", "grid"},  # the dashboard, big screen and records of an area
    "worklist": {"subdistrict", "community", "grid"},  # the area's queues ("all needs of my area")
    "callbacks": {"community", "grid"},  # the call-back list (回访)
    # The Excel rosters (rosters.specs): community staff keep their community's; the units roster is the
    # subdistrict's; a unit keeps its own members.
    "roster_places": {"subdistrict", "community"},
    "roster_units": {"subdistrict"},
    "roster_members": {"subdistrict", "community", "unit", "department"},
    "roster_residents": {"subdistrict", "community"},
    "roster_sites": {"subdistrict", "community"},
    # A station's desk, its stock and loans (sites.operate_site): staff of its area, and its operator unit's admins
    # (their "inside" is the station their unit runs).
    "operate_station": {"subdistrict", "community", "unit"},
}


def allowed(cap: str, role: R, inside: bool) -> bool:
    return role.key == "superuser" or (inside and role.key in CAN[cap])


# --- The world: the demo, plus a subdistrict outside every demo role's scope ------------------------------

AWAY = "620102011"  # 东岗街道: beside the demo's 拱星墩街道 (620102010), in the same district
TQJY, WLPD, GRID1, GRID2 = "620102010001", "620102010002", "620102010001001", "620102010001002"


def _walk_need(world, *, candidate, state, public, at):
    """A need in `state` for the candidate (where it is, who reported it, who holds it), taken there through
    need_act as the demo's people would."""
    admin_user = world["users"]["superuser"]
    c = world["candidates"][candidate]
    step = iter(range(100))

    def act(actor, action, **fields):
        nonlocal need
        need = need_act(actor=actor, need=need, action=action, at=at + datetime.timedelta(minutes=next(step)),
                        **fields)

    need = None
    title = f"矩阵 {candidate} {state} {'公开' if public else '私密'}"
    if c["reporter_user"] is not None:
        need = need_submit(actor=c["reporter_user"], title=title, place=c["place"], at=at)
    else:
        need = need_submit(actor=admin_user, title=title, place=c["place"], reporter=c["reporter"], at=at)
    if state == S.SUBMITTED:
        return need
    act(admin_user, "accept", category=world["category"], concern_level="worry", is_public=public)
    if state == S.ACCEPTED:
        return need
    if state == S.ESCALATED:
        act(admin_user, "escalate", note="社区无法解决")
        return need
    if public:
        act(admin_user, "publish")
    if state == S.PUBLISHED:
        return need
    holder = c["holder"]
    if isinstance(holder, Person):
        act(admin_user, "dispatch", person=holder)
    elif public and holder.kind != "government_department":
        act(c["holder_user"], "claim", organisation=holder)
    else:
        act(admin_user, "dispatch", organisation=holder)
    if state == S.CLAIMED:
        return need
    act(c["holder_user"], "report_in" if need.level == "department" else "start")
    if state == S.IN_PROGRESS:
        return need
    resolved_at = world["now"] - datetime.timedelta(days=2 if state == "closed_unsatisfied" else 8)
    need = need_act(actor=c["holder_user"], need=need, action="resolve", note="已修好", evidence="居民签字确认",
                    at=resolved_at)
    if state == S.RESOLVED:
        return need
    if state == "closed_unsatisfied":  # rated 不满意 yesterday: it may be reopened
        return need_act(actor=admin_user, need=need, action="follow_up", rating="unsatisfied",
                        at=world["now"] - datetime.timedelta(days=1))
    return need_act(actor=admin_user, need=need, action="verify", at=resolved_at + datetime.timedelta(hours=1))


HOLDERLESS = (S.SUBMITTED, S.ACCEPTED, S.PUBLISHED, S.ESCALATED)
HELD = (S.CLAIMED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED, "closed_unsatisfied")
ONLY_PUBLIC = (S.SUBMITTED, S.ACCEPTED, S.PUBLISHED)  # a published need is public; before, nobody sees it anyway


def variants():
    """(state, public) of the needs the matrix is made of."""
    for state in (*HOLDERLESS, *HELD):
        for public in (True,) if state in ONLY_PUBLIC else (True, False):
            yield state, public


@pytest.fixture(scope="module")
def world(demo_db, django_db_blocker):
    with django_db_blocker.unblock():
        users = {r.key: User.objects.get(username=r.username) for r in ROLES if r.username}
        users["anonymous"] = AnonymousUser()
        admin_user = users["superuser"]
        person = {key: scopes.person_of(user) for key, user in users.items()}
        # Outside every demo role's scope: a subdistrict of its own, with a resident, a company and a site.
        district = Place.objects.get(code=AWAY[:6])
        away = place_create(actor=admin_user, kind="subdistrict", name="东岗街道", code=AWAY, parent=district)
        away = place_create(actor=admin_user, kind="community", name="东岗东路社区", code=AWAY + "001", parent=away)
        away = place_create(actor=admin_user, kind="grid", name="东岗东路第一网格", code=AWAY + "001001", parent=away)
        away = place_create(actor=admin_user, kind="compound", name="东岗小区", code=AWAY + "001001001", parent=away)
        away_person = person_create(actor=admin_user, name="柯文静", phone="13999990001", home=away, room="101",
                                    is_resident=True)
        away_org = organisation_create(actor=admin_user, kind="property_company", name="东岗物业", place=away)
        site_create(actor=admin_user, kind="facility", name="东岗小区健身路径", place=away)
        site_create(actor=admin_user, kind="station", name="东岗小区便民驿站", place=away)

        def compound_in(code):
            return Place.objects.filter(code__startswith=code, kind="compound").order_by("code").first()

        def plain_resident(code):
            """Someone living there who is nobody's member, reported nowhere and has no account."""
            return Person.objects.filter(home__code__startswith=code, memberships__isnull=True, user__isnull=True,
                                         is_resident=True).exclude(phone="").order_by("pk").first()

        unit = {key: Organisation.objects.get(pk=scopes.unit_ids(users[key])[0]) for key in UNIT_KEYS}
        donghu = User.objects.get(username="donghu")  # holds what is outside: nobody of the matrix
        other_unit = Organisation.objects.get(pk=scopes.unit_ids(donghu)[0])
        home = compound_in(GRID1)
        assert person["resident"].home.code.startswith(GRID1)
        candidates = {
            "grid1": {"place": home, "reporter": person["resident"], "reporter_user": users["resident"],
                      "holder": unit["unit"], "holder_user": users["unit"]},
            "member": {"place": home, "reporter": person["resident"], "reporter_user": users["resident"],
                       "holder": person["member"], "holder_user": users["member"]},
            "department": {"place": home, "reporter": person["resident"], "reporter_user": users["resident"],
                           "holder": unit["department"], "holder_user": users["department"]},
            "grid2": {"place": compound_in(GRID2), "reporter": plain_resident(GRID2), "reporter_user": None,
                      "holder": other_unit, "holder_user": donghu},
            "wlpd": {"place": compound_in(WLPD), "reporter": plain_resident(WLPD), "reporter_user": None,
                     "holder": other_unit, "holder_user": donghu},
            "away": {"place": away, "reporter": away_person, "reporter_user": None,
                     "holder": other_unit, "holder_user": donghu},
        }
        now = timezone.now()
        w = {"users": users, "person": person, "candidates": candidates, "now": now, "unit": unit,
             "category": Category.objects.order_by("pk").first(), "away": away, "away_person": away_person,
             "away_org": away_org, "collaborator": Organisation.objects.get(name="中电万维")}
        needs = {}
        for state, public in variants():
            for candidate in ("grid1", "grid2", "wlpd", "away", *(("member", "department") if state in HELD else ())):
                needs[candidate, state, public] = _walk_need(w, candidate=candidate, state=state, public=public,
                                                             at=now - datetime.timedelta(days=10))
        w["needs"] = needs
        # A photo on each need (a demo photo's files), a notification for each account, a roster import for each
        # account that has a roster; and a member of the company outside, reported to its community.
        demo_photo = Photo.objects.exclude(need__in=needs.values()).first()
        for need in needs.values():
            if demo_photo is not None:
                Photo.objects.create(need=need, token=uuid.uuid4().hex, image=demo_photo.image.name,
                                     thumbnail=demo_photo.thumbnail.name, at=now)
        others = {"donghu": donghu, "wlpx": User.objects.get(username="wlpx")}  # what is someone else's
        w["notification"], w["import"], w["token"] = {}, {}, {}
        for key, user in [*users.items(), *others.items()]:
            if user.is_authenticated:
                w["token"][key] = api_token_issue(user=user, name="矩阵")[1]
                need = needs["grid1", S.SUBMITTED, True]
                w["notification"][key] = InboxLine.objects.create(
                    user=user, link=f"/needs/{need.pk}/", subject=f"needs.need:{need.pk}", verb="need.submit",
                    text="矩阵", at=now)
                roster = next((r for r in ROSTERS.values() if r.allowed(user)), None)
                if roster is not None:
                    w["import"][key] = RosterImport.objects.create(
                        user=user, roster=roster.slug, filename="矩阵.xlsx", sha256="0" * 64,
                        state=ImportState.CANCELLED)
        branch = party_organisation_create(actor=admin_user, level="branch", name="东岗物业党支部",
                                           organisation=away_org)
        membership = membership_create(actor=admin_user, person=away_person, party_organisation=branch)
        member_report(actor=admin_user, membership=membership, community=away.parent.parent,
                      reported_on=now.date())
        yield w


# --- Inside and outside, for each role ------------------------------------------------------------------

INSIDE = {"member": "member", "department": "department"}  # whom the need is held by, once it is held
OUTSIDE = {"community": "wlpd", "grid": "grid2"}  # another community, another grid; else another subdistrict


def candidate_for(role: R, state: str, inside: bool) -> str:
    if not inside:
        return OUTSIDE.get(role.key, "away")
    return INSIDE.get(role.key, "grid1") if state in HELD else "grid1"


# --- The rule for needs: relations from the role's scope, then the action's record ------------------------

READERS = {"staff_subdistrict", "staff_community", "grid_worker", "holder", "collaborator", "department",
           "reporter"}  # besides anyone, once the need is public (workflow.PUBLIC): needs.selectors.needs_visible_to


def relations(world, role: R, need: Need) -> set[str]:
    """What the role is to the need, as the relation table at the top of needs/workflow.py defines each relation,
    read from the role's scope in the demo."""
    found = {"anyone"}
    if role.key == "anonymous":
        return found
    user = world["users"][role.key]
    if role.key == "superuser":
        return found | set(PLACE_ROLE_KEYS.values())
    if role.key in PLACE_ROLE_KEYS:
        if any(need.place.code.startswith(code) for code in scopes.place_prefixes(user)):
            found.add(PLACE_ROLE_KEYS[role.key])
    if role.key in UNIT_KEYS:
        unit = world["unit"][role.key]
        found.add("unit_admin")
        if need.lead_organisation_id == unit.pk:
            found.add("holder")
            if need.level == "department":
                found.add("department")
        if need.collaborators.filter(pk=unit.pk).exists():
            found.add("collaborator")
    person = world["person"][role.key]
    if role.key == "member":
        found.add("party_member")
        if need.lead_person_id == person.pk:
            found.add("holder")
    if person is not None and need.reporter_id == person.pk:
        found.add("reporter")
    return found


def sees(role: R, need: Need, rel: set[str]) -> bool:
    return role.key == "superuser" or (need.is_public and need.state in workflow.PUBLIC) or bool(rel & READERS)


def action_outcome(world, role: R, need: Need, action: str, rel: set[str]) -> str:
    """The answer the rule gives: login (not signed in), missing (may not see it), moved (the state does not allow
    it), forbidden (the role may not), guarded (its guard refuses now), done."""
    if role.key == "anonymous":
        return "login"
    if not sees(role, need, rel):
        return "missing"
    if workflow.next_state(need.state, action) is None:
        return "moved"
    if not permissions.may_act(world["users"][role.key], need, action, rel):
        return "forbidden"
    if workflow.refusal(need, action, timezone.now()):
        return "guarded"
    return "done"


def action_cases():
    """(action, state, public): every action people take, from every state it leaves, public and private."""
    for (state, action), _after in workflow.TRANSITIONS.items():
        record = workflow.ACTIONS[action]
        if state == workflow.NEW or record.system_only:
            continue
        variant = "closed_unsatisfied" if action == "reopen" else state  # reopen's guard: rated 不满意 lately
        for public in (True,) if state in ONLY_PUBLIC else (True, False):
            yield action, variant, public


def fields_for(world, role: R, action: str, candidate: str) -> dict:
    """A valid body for the action (so that an allowed action is done, not refused for its fields)."""
    if action == "merge":  # into the published need of the same place
        return {"into": world["needs"][candidate, S.PUBLISHED, True].pk}
    if action == "dispatch":  # a co-building unit of the demo's subdistrict; outside it, the company there
        return {"organisation": (world["unit"]["unit"] if candidate != "away" else world["away_org"]).pk}
    if action == "claim":
        unit = world["unit"].get(role.key)
        return {"organisation": unit.pk} if unit else {}
    return {
        "accept": {"category": world["category"].pk, "concern_level": "worry"},
        "reject": {"note": "不属于社区事务"}, "return": {"note": "无法办理"}, "escalate": {"note": "社区无法解决"},
        "progress": {"note": "已联系物业"}, "reopen": {"note": "还是漏水"},
        "add_collaborator": {"organisation": world["collaborator"].pk},
        "resolve": {"note": "已修好", "evidence": "居民签字确认"},
        "rate": {"rating": "satisfied"}, "follow_up": {"rating": "satisfied"},
    }.get(action, {})


def page_fields(action: str, fields: dict) -> dict:
    """The action form's POST data for the same fields (needs.forms: prefixed by the action)."""
    if action == "dispatch":
        return {"dispatch-holder": f"organisation:{fields['organisation']}"}
    if action == "accept":
        fields = {**fields, "is_public": "on"}
    return {f"{action}-{name}": value for name, value in fields.items()}


# --- Helpers ----------------------------------------------------------------------------------------------

@contextmanager
def rolled_back():
    """One cell: whatever it writes is undone before the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def snapshot(need: Need) -> tuple:
    """The need's row, and how many events and notifications there are (a note, a collaborator or a photo is
    written only with its event)."""
    return Need.objects.filter(pk=need.pk).values().get(), Event.objects.count(), InboxLine.objects.count()


def done(before, after, need, action, state) -> bool:
    """The action went through: the need is in the state the transition table says, with one event more."""
    return state == workflow.next_state(before[0]["state"], action) == after[0]["state"] and after[1] == before[1] + 1


def api_client(client, world, role: R):
    """The role's API: a bearer token from POST /api/v1/auth/token (that operation's cell), or none."""
    if role.key == "anonymous":
        response = client.post("/api/v1/auth/token", {"username": "jumin", "password": "wrong"},
                               content_type="application/json")
        assert response.status_code == 401
        return {}
    response = client.post("/api/v1/auth/token", {"username": role.username, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    CELLS["api"] += 1
    return {"Authorization": f"Bearer {response.json()['token']}"}


def login(client, world, role: R):
    client.logout()
    if role.key != "anonymous":
        client.force_login(world["users"][role.key])
    return client


def fresh(need: Need) -> Need:
    return Need.objects.select_related("place").get(pk=need.pk)


API_STATUS = {"login": 401, "missing": 404, "moved": 409, "forbidden": 403, "guarded": 422, "done": 200}


# --- The needs actions: every role × every action from every state × inside and outside ----------------------

@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_api_actions(world, db, client, role):
    headers = api_client(client, world, role)
    wrong = []
    for action, state, public in action_cases():
        for inside in (True, False):
            candidate = candidate_for(role, state, inside)
            need = fresh(world["needs"][candidate, state, public])
            rel = relations(world, role, need)
            expected = action_outcome(world, role, need, action, rel)
            body = fields_for(world, role, action, candidate)
            with rolled_back():
                before = snapshot(need)
                response = client.post(f"/api/v1/needs/{need.pk}/actions/{action}", body,
                                       content_type="application/json", headers=headers)
                after = snapshot(need)
            cell = (action, state, "public" if public else "private", candidate)
            if response.status_code != API_STATUS[expected]:
                wrong.append((*cell, expected, response.status_code, response.content.decode()[:200]))
            elif expected != "done" and after != before:
                wrong.append((*cell, expected, "but it wrote"))
            elif expected == "done" and not done(before, after, need, action, response.json()["state"]):
                wrong.append((*cell, "done", "but not as the transition table says"))
            CELLS["api"] += 1
    assert wrong == [], "\n".join(map(str, wrong))


def page_cases():
    """On pages, one state per action, of a public need: what the page adds to need_act (the need found or not,
    the role refused before the form) does not depend on the state; a need nobody else may see is one submitted
    or accepted (private needs are the API's cells)."""
    seen = set()
    for action, state, public in action_cases():
        if public and action not in seen:
            seen.add(action)
            yield action, state, public


def login_url(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_page_actions(world, db, client, role):
    """The action forms of a need's page (POST needs:act): refused as the API refuses, and nothing written."""
    login(client, world, role)
    wrong = []
    for action, state, public in page_cases():
        for inside in (True, False):
            candidate = candidate_for(role, state, inside)
            need = fresh(world["needs"][candidate, state, public])
            rel = relations(world, role, need)
            expected = action_outcome(world, role, need, action, rel)
            data = page_fields(action, fields_for(world, role, action, candidate))
            with rolled_back():
                before = snapshot(need)
                response = client.post(reverse("needs:act", args=[need.pk, action]), data)
                after = snapshot(need)
            status = response.status_code
            answered = {"login": login_url(response), "missing": status == 404, "forbidden": status == 403,
                        "guarded": status in (302, 422), "done": status == 302 and done(
                            before, after, need, action, after[0]["state"])}[expected]
            if not answered or (expected != "done" and after != before):
                wrong.append((action, state, "public" if public else "private", candidate, expected, status,
                              "wrote" if after != before else ""))
            CELLS["pages"] += 1
    assert wrong == [], "\n".join(map(str, wrong))


def test_relations_agree_with_the_relation_table(world, db):
    """needs.permissions.relations_to says what the relation table says, for every role and every need here."""
    wrong = []
    for role in ROLES:
        user = world["users"][role.key]
        for key, need in world["needs"].items():
            need = fresh(need)
            if permissions.relations_to(user, need) != relations(world, role, need):
                wrong.append((role.key, *key, permissions.relations_to(user, need), relations(world, role, need)))
    assert wrong == []


# --- Reading a need: its page, the API, the list, search, its photo, its pickers, its tracking page ---------

READ_VARIANTS = [(S.SUBMITTED, True), (S.PUBLISHED, True), (S.ESCALATED, False), (S.CLAIMED, True),
                 (S.CLAIMED, False), (S.RESOLVED, False)]
PICKERS = {"merge": "into", "dispatch": "holder"}  # the action forms' pickers (needs:pick)
ACT_FORM = re.compile(r'action="/needs/(\d+)/act/(\w+)/"')


def offered(world, role: R, need: Need, rel: set[str]) -> set[str]:
    """The actions the rule lets the role take now: exactly what a need's page and the API offer."""
    return {a for a in workflow.actions_from(need.state) if not workflow.ACTIONS[a].system_only
            and action_outcome(world, role, need, a, rel) == "done"}


def listed(response, need) -> bool:
    return f'href="{reverse("needs:detail", args=[need.pk])}"' in response.content.decode()


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_need_reads(world, db, client, role):
    headers = api_client(client, world, role)
    login(client, world, role)
    anonymous, wrong = role.key == "anonymous", []

    def check(what, ok):
        CELLS["api" if what.startswith("api") else "pages"] += 1
        if not ok:
            wrong.append((what, *cell))

    for state, public in READ_VARIANTS:
        for inside in (True, False):
            candidate = candidate_for(role, state, inside)
            need = fresh(world["needs"][candidate, state, public])
            rel = relations(world, role, need)
            visible, offer = sees(role, need, rel), offered(world, role, need, rel)
            cell = (state, "public" if public else "private", candidate)
            one = client.get(f"/api/v1/needs/{need.pk}", headers=headers)
            check("api need_detail", one.status_code == (401 if anonymous else 200 if visible else 404)
                  and (one.status_code != 200 or set(one.json()["actions"]) == offer))
            page = client.get(f"/api/v1/needs?before={need.pk + 1}&limit=1", headers=headers)
            check("api need_list", page.status_code == 401 if anonymous else page.status_code == 200
                  and any(n["id"] == need.pk for n in page.json()["items"]) == visible)
            detail = client.get(reverse("needs:detail", args=[need.pk]))
            forms = {a for pk, a in ACT_FORM.findall(detail.content.decode()) if int(pk) == need.pk}
            check("needs:detail", detail.status_code == (200 if visible else 404)
                  and (detail.status_code != 200 or forms == offer))
            text = client.post(reverse("needs:text_check", args=[need.pk]), {"note-note": "x"})
            check("needs:text_check", login_url(text) if anonymous else text.status_code == (200 if visible else 404))
            search = client.get(reverse("search"), {"q": f"#{need.pk}"})
            check("search", login_url(search) if anonymous else search.status_code == 200
                  and listed(search, need) == visible)
            track = client.get(reverse("needs:track_detail", args=[need.reference]))
            check("needs:track_detail", track.status_code == 200)  # the reference is what opens it
            # A need's proof is the public's: the same for every role, whatever they may see of the need.
            proof = client.get(reverse("needs:proof", args=[need.pk])).status_code
            check("needs:proof", proof == (200 if public and state in workflow.PUBLIC else 404))
            check("needs:proof_json", client.get(reverse("needs:proof_json", args=[need.pk])).status_code == proof)
            photo = need.photos.first()
            if photo is not None:
                got = client.get(f"/media/needs/{need.pk}/{photo.token}.jpg")
                check("need_photo", got.status_code == (200 if visible else 404))
            for action, field in PICKERS.items():
                if workflow.next_state(need.state, action) is not None:
                    got = client.get(reverse("needs:pick", args=[need.pk, action, field]),
                                     {"name": f"{action}-{field}", f"{action}-{field}_q": "天"})
                    check(f"needs:pick {action}", got.status_code == (200 if action in offer else 404))
    # What does not exist answers as what may not be seen.
    cell = ("missing",)
    check("api need_detail", client.get("/api/v1/needs/999999", headers=headers).status_code == (
        401 if anonymous else 404))
    check("needs:detail", client.get(reverse("needs:detail", args=[999999])).status_code == 404)
    text = client.post(reverse("needs:text_check", args=[999999]))
    check("needs:text_check", login_url(text) if anonymous else text.status_code == 404)
    check("need_photo", client.get(f"/media/needs/999999/{'0' * 32}.jpg").status_code == 404)
    check("needs:pick", client.get(reverse("needs:pick", args=[999999, "merge", "into"])).status_code == 404)
    check("needs:track_detail", client.get(reverse("needs:track_detail", args=["XXXXXXXX"])).status_code == 404)
    check("needs:proof", client.get(reverse("needs:proof", args=[999999])).status_code == 404)
    check("needs:proof_json", client.get(reverse("needs:proof_json", args=[999999])).status_code == 404)
    assert wrong == [], "\n".join(map(str, wrong))


# --- The lists of an area: the worklist, the call-back list; bulk actions; notifications --------------------

HOLDER_KEYS = {"unit", "department", "member"}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_area_pages(world, db, client, role):
    login(client, world, role)
    anonymous, wrong = role.key == "anonymous", []
    staff = role.key == "superuser" or role.key in CAN["worklist"]
    calls_back = role.key == "superuser" or role.key in CAN["callbacks"]

    def check(what, ok, *cell):
        CELLS["pages"] += 1
        if not ok:
            wrong.append((what, *cell))

    for inside in (True, False):
        # The worklist: the area's queues for staff ("all needs of my area"), what they hold for units and members.
        need = fresh(world["needs"][candidate_for(role, S.CLAIMED, inside), S.CLAIMED, False])
        rel = relations(world, role, need)
        queue = "all" if staff else "claims"
        got = client.get(reverse("needs:triage"), {"queue": queue, "q": f"#{need.pk}"})
        has = staff or role.key in HOLDER_KEYS
        shown = allowed("worklist", role, inside) if staff else "holder" in rel
        check("needs:triage", login_url(got) if anonymous else got.status_code == (200 if has else 403)
              and (not has or listed(got, need) == shown), inside)
        # The call-back list, and a call from it: the phone shown (logged), the grade recorded.
        need = fresh(world["needs"][candidate_for(role, S.RESOLVED, inside), S.RESOLVED, False])
        rel = relations(world, role, need)
        pages = [client.get(reverse("needs:callbacks"), {"page": n}) for n in (1, 2, 3)]
        check("needs:callbacks", login_url(pages[0]) if anonymous else all(
            p.status_code == (200 if calls_back else 403) for p in pages) and (not calls_back or any(
                listed(p, need) for p in pages) == allowed("callbacks", role, inside)), inside)
        in_area = bool(rel & set(PLACE_ROLE_KEYS.values()))  # needs.selectors.needs_in_scope
        may_call = bool(rel & workflow.ACTIONS["follow_up"].who)
        with rolled_back():
            logged = PersonalDataAccess.objects.count()
            got = client.post(reverse("needs:callback_reveal", args=[need.pk]))
            expected = 403 if not calls_back else 404 if not in_area else 200 if may_call else 403
            check("needs:callback_reveal", login_url(got) if anonymous else got.status_code == expected
                  and (PersonalDataAccess.objects.count() == logged + 1) == (expected == 200), inside)
        outcome = action_outcome(world, role, need, "follow_up", rel)
        with rolled_back():
            before = snapshot(need)
            got = client.post(reverse("needs:callback_record", args=[need.pk]), {"rating": "satisfied"})
            after = snapshot(need)
            expected = 403 if not calls_back else 404 if not in_area else 302 if outcome == "done" else 403
            check("needs:callback_record", login_url(got) if anonymous else got.status_code == expected
                  and (after != before) == (expected == 302), inside, got.status_code)
        # Bulk accept from the worklist: each need through need_act, only in the user's area.
        need = fresh(world["needs"][candidate_for(role, S.SUBMITTED, inside), S.SUBMITTED, True])
        rel = relations(world, role, need)
        with rolled_back():
            before = snapshot(need)
            got = client.post(reverse("needs:bulk"), {"action": "accept", "need": [need.pk], "concern_level": "worry",
                                                      "category": world["category"].pk})
            after = snapshot(need)
            accepted = (role.key == "superuser" or bool(rel & set(PLACE_ROLE_KEYS.values()))) and action_outcome(
                world, role, need, "accept", rel) == "done"
            check("needs:bulk", login_url(got) if anonymous else got.status_code == 200
                  and (after[0]["state"] == S.ACCEPTED) == accepted and (after == before) != accepted, inside)
        # A notification: the account's own, or someone else's (not even a superuser opens another's).
        notification = world["notification"][role.key if inside and not anonymous else "donghu"]
        with rolled_back():
            got = client.post(reverse("inbox_open", args=[notification.pk]))
            check("inbox_open", login_url(got) if anonymous else got.status_code == (
                302 if inside else 404), inside)
        # An API token: the account's own, or someone else's (revoked only by its owner, here).
        token = world["token"][role.key if inside and not anonymous else "donghu"]
        with rolled_back():
            got = client.post(reverse("people:api_token_revoke", args=[token.pk]))
            check("people:api_token_revoke", login_url(got) if anonymous else got.status_code == (
                302 if inside else 404), inside)
    assert wrong == [], "\n".join(map(str, wrong))


# --- Places, people, organisations, sites: pages with an object, inside and outside the scope -----------------

@dataclass(frozen=True)
class Page:
    name: str  # the URL's name
    kind: str  # the object it shows or changes (scope_objects)
    can: str | None = None  # what the role must be allowed to do with the object (CAN); None: any signed-in role
    read: str | None = None  # what it takes to see the object at all (refused: as if missing); None: it is public
    method: str = "get"
    login: bool = True  # for signed-in users only


FORMS = [  # each page of a form, read (GET) and sent (POST: empty, so nothing is written where it is allowed)
    Page("places:place_update", "place", "change_place"),
    Page("places:place_create", "place", "change_place"),  # a place under it
    Page("people:coverage_create", "place", "change_place"),
    Page("people:organisation_update", "organisation", "change_organisation"),
    Page("people:person_update", "person", "change_person", read="view_person"),
    Page("people:member_report", "membership", "member_report", read="view_person"),
    Page("people:member_place", "report", "change_place", read="view_person"),
    Page("sites:site_update", "site", "change_place"),
]
PAGES = [
    Page("places:detail", "place"),
    Page("people:organisation", "organisation"),
    Page("people:person", "person", "view_person", read="view_person"),
    Page("people:person", "person", "view_person_full", read="view_person", method="post"),  # the logged reveal
    Page("sites:detail", "site", login=False),
    Page("places:poster", "place", login=False),  # a QR poster: public, as what hangs on a wall
    Page("sites:poster", "site", login=False),
    Page("places:posters", "place", "change_place"),  # all the posters of a place: its staff's tool
    *FORMS,
    *(Page(page.name, page.kind, page.can, page.read, method="post") for page in FORMS),
]


def outside_area(role: R) -> tuple[str, str | None]:
    """Where the role's outside is: (inside this code, but not inside that one)."""
    return {"community": (WLPD, None), "grid": (TQJY, GRID1)}.get(role.key, (AWAY, None))


def in_area(qs, field: str, area: tuple[str, str | None]):
    prefix, but_not = area
    qs = qs.filter(**{f"{field}__code__startswith": prefix})
    return qs.exclude(**{f"{field}__code__startswith": but_not}) if but_not else qs


SELF_KEYS = ("member", "resident", "committee")  # roles whose scope of people is the person themself


def scope_objects(world, role: R) -> dict[str, tuple]:
    """For each kind of object, (one inside the role's scope, one outside it). Inside: the demo's 天庆嘉园第一网格
    for place roles, the unit's own for unit admins, the person themself for members and residents."""
    inside, outside = (GRID1, None), outside_area(role)
    me, unit = world["person"].get(role.key), world["unit"].get(role.key)
    members = PartyMembership.objects.filter(in_service=True).select_related("person").order_by("pk")
    reports = MemberReport.objects.select_related("membership__person", "community").order_by("pk")
    if role.key in SELF_KEYS:  # their own record, membership and report (if they have one)
        person, membership = me, me.memberships.first()
    elif unit is not None:
        membership = members.filter(party_organisation__organisation=unit).first()
        person = membership.person
    else:
        person, membership = world["person"]["resident"], in_area(members, "person__home", inside).first()
    report = reports.filter(membership=membership).first() if membership else None
    out_report = in_area(reports, "membership__person__home", outside).exclude(
        grid_branch__place__code__startswith=GRID1).first()
    return {
        "place": (Place.objects.filter(code__startswith=GRID1, kind="compound").order_by("code").first(),
                  in_area(Place.objects.filter(kind="compound"), "parent__parent", outside).order_by("code").first()
                  if outside[0] != AWAY else world["away"]),
        "person": (person, world["away_person"] if outside[0] == AWAY else in_area(Person.objects.filter(
            memberships__isnull=True, user__isnull=True), "home", outside).order_by("pk").first()),
        "membership": (membership, out_report.membership),
        "report": (report, out_report),
        "organisation": (unit or in_area(Organisation.objects.order_by("pk"), "place", inside).first(),
                         in_area(Organisation.objects.order_by("pk"), "place", outside).first()),
        "site": (in_area(Site.objects.order_by("pk"), "place", inside).first(),
                 in_area(Site.objects.order_by("pk"), "place", outside).first()),
    }


def url_of(page: Page, obj) -> str:
    return reverse(page.name, args=[obj.code if page.kind == "place" else obj.pk])


def page_expected(page: Page, role: R, inside: bool) -> int | str:
    if role.key == "anonymous":
        return "login" if page.login else 200
    if page.read and not allowed(page.read, role, inside):
        return 404
    if page.can and not allowed(page.can, role, inside):
        return 403
    return 200


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_object_pages(world, db, client, role):
    login(client, world, role)
    objects, wrong = scope_objects(world, role), []
    for page in PAGES:
        for inside, obj in zip((True, False), objects[page.kind], strict=True):
            if obj is None:
                assert inside and role.key in SELF_KEYS, (page.kind, inside)
                continue  # a resident is nobody's member: no membership of their own
            expected = page_expected(page, role, inside)
            with rolled_back():
                events, logged = Event.objects.count(), PersonalDataAccess.objects.count()
                got = getattr(client, page.method)(url_of(page, obj))
                wrote = (Event.objects.count(), PersonalDataAccess.objects.count()) != (events, logged)
            answered = login_url(got) if expected == "login" else got.status_code == expected
            if not answered or (expected != 200 and wrote):
                wrong.append((page.name, page.method, page.kind, obj.pk, "inside" if inside else "outside",
                              expected, got.status_code, "wrote" if wrote else ""))
            CELLS["pages"] += 1
    assert wrong == [], "\n".join(map(str, wrong))


# --- A station's desk and its API: its operators only; the station itself is public ---------------------------

def stations_of(world, role: R) -> tuple:
    """(a station inside the role's scope, one outside it): for a unit admin the station its unit runs (None if it
    runs none) and one it does not; for the others one in 天庆嘉园 and one outside their area."""
    stations = Site.objects.filter(kind="station").order_by("pk")
    if role.key in UNIT_KEYS:
        unit = world["unit"][role.key]
        return stations.filter(operator=unit).first(), in_area(stations, "place", (TQJY, None)).exclude(
            operator=unit).first()
    return in_area(stations, "place", (TQJY, None)).first(), in_area(stations, "place", outside_area(role)).first()


def station_things(world, station) -> dict:
    """An item of each kind and a loan out at the station (written in the cell's savepoint)."""
    from sites.services import item_create, loan_create

    admin_user = world["users"]["superuser"]
    umbrellas = item_create(actor=admin_user, site=station, kind="lendable", name="矩阵雨伞", unit="把", units=5)
    plasters = item_create(actor=admin_user, site=station, kind="consumable", name="矩阵创可贴", stock=5)
    loan = loan_create(actor=admin_user, item=umbrellas, borrower_name="矩阵", borrower_phone="13800001111")
    return {"umbrellas": umbrellas, "plasters": plasters, "loan": loan}


STATION_PAGES = [  # (URL name, method, the object, answered allowed, refused); a POST is empty: nothing written
    ("sites:desk", "get", "station", 200, 404), ("sites:history", "get", "station", 200, 404),
    ("sites:borrower_pick", "get", "station", 200, 404),
    ("sites:stock", "get", "station", 200, 403), ("sites:stock", "post", "station", 200, 403),
    ("sites:lend", "get", "station", 200, 403), ("sites:lend", "post", "station", 200, 403),
    ("sites:item_create", "get", "station", 200, 403), ("sites:item_create", "post", "station", 200, 403),
    ("sites:item_update", "get", "umbrellas", 200, 403), ("sites:item_update", "post", "umbrellas", 200, 403),
    ("sites:loan_lost", "get", "loan", 200, 404),
    ("sites:loan_return", "post", "loan", 302, 404),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_station_pages_and_api(world, db, client, role):
    login(client, world, role)
    headers = api_client(client, world, role)
    anonymous, wrong = role.key == "anonymous", []
    for inside, station in zip((True, False), stations_of(world, role), strict=True):
        if station is None:
            continue  # a unit that runs no station
        may = allowed("operate_station", role, inside)
        for name, method, kind, ok, refused in STATION_PAGES:
            with rolled_back():
                things = {"station": station, **station_things(world, station)}
                events = Event.objects.count()
                got = getattr(client, method)(reverse(name, args=[things[kind].pk]))
                wrote = Event.objects.count() != events
            expected = "login" if anonymous else ok if may else refused
            if not (login_url(got) if anonymous else got.status_code == expected) or (wrote and not may):
                wrong.append((name, method, station.name, role.key, expected, got.status_code, "wrote" * wrote))
            CELLS["pages"] += 1
        # The API: the list and the station are public; its loans and movements are its operators'.
        api_cases = [
            ("sites_api_station_list", "get", "/api/v1/stations", None, 200, 200),
            ("sites_api_station_detail", "get", f"/api/v1/stations/{station.pk}", None, 200, 200),
            ("sites_api_station_loans", "get", f"/api/v1/stations/{station.pk}/loans", None, 200, 404),
            ("sites_api_station_items", "get", f"/api/v1/stations/{station.pk}/items", None, 200, 404),
            ("sites_api_station_movements", "get", f"/api/v1/stations/{station.pk}/stock", None, 200, 404),
            ("sites_api_station_lend", "post", f"/api/v1/stations/{station.pk}/loans", "lend", 201, 403),
            ("sites_api_station_stock", "post", f"/api/v1/stations/{station.pk}/stock", "stock", 201, 403),
            ("sites_api_loan_return_endpoint", "post", "/api/v1/loans/{loan}/return", None, 200, 404),
            ("sites_api_loan_lost_endpoint", "post", "/api/v1/loans/{loan}/lost", None, 200, 404),
        ]
        for operation, method, url, body, ok, refused in api_cases:
            with rolled_back():
                things = station_things(world, station)
                payload = {"lend": {"item": things["umbrellas"].pk, "borrower_name": "矩阵", "borrower_phone":
                                    "13800002222"},
                           "stock": {"item": things["plasters"].pk, "kind": "received", "quantity": 1}}.get(body)
                events = Event.objects.count()
                url = url.format(loan=things["loan"].pk)
                got = (client.get(url, headers=headers) if method == "get" else
                       client.post(url, payload or {}, content_type="application/json", headers=headers))
                wrote = Event.objects.count() != events
            public = operation in ("sites_api_station_list", "sites_api_station_detail")
            expected = ok if public or may else 401 if anonymous else refused
            if got.status_code != expected or (wrote and not may):
                wrong.append((operation, station.name, role.key, expected, got.status_code, "wrote" * wrote))
            CELLS["api"] += 1
        # The stations one runs: listed to exactly those who may operate it.
        got = client.get("/api/v1/stations/operated", {"limit": 200}, headers=headers)
        listed = got.status_code == 200 and station.pk in {s["id"] for s in got.json()["items"]}
        if got.status_code != (401 if anonymous else 200) or listed != (may and not anonymous):
            wrong.append(("sites_api_station_operated", station.name, role.key, may, got.status_code))
        CELLS["api"] += 1
    assert wrong == [], "\n".join(map(str, wrong))


# --- The ledger: the staff pages of an area, the public pages and downloads of any place ---------------------

def ledger_places(world, role: R) -> tuple[Place, Place]:
    outside = {"community": WLPD, "grid": GRID2}.get(role.key, AWAY)
    return Place.objects.get(code=GRID1), Place.objects.get(code=outside)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_ledger_pages(world, db, client, role):
    login(client, world, role)
    headers = api_client(client, world, role)
    anonymous, wrong = role.key == "anonymous", []
    has = role.key == "superuser" or role.key in CAN["staff_ledger"]
    pdf = 200 if fonts.cjk_font() else 503  # without a Chinese font the PDF says so (ledger/no_font.html)
    missing = Place(code="999999999")
    for inside, place in ((True, ledger_places(world, role)[0]), (False, ledger_places(world, role)[1]),
                          (None, missing)):
        for name in ("ledger:dashboard", "ledger:screen", "ledger:records"):
            got = client.get(reverse(name), {"place": place.code, "figure": "found", "period": "2021"})
            expected = 403 if not has else 200 if inside is not None and allowed("staff_ledger", role, inside) else 404
            if not (login_url(got) if anonymous else got.status_code == expected):
                wrong.append((name, place.code, expected, got.status_code))
            CELLS["pages"] += 1
        for name, ok in (("ledger:public", 200), ("ledger:xlsx", 200), ("ledger:csv", 200),
                         ("ledger:deeds_csv", 200), ("ledger:pdf", pdf)):
            got = client.get(reverse(name, args=[place.code]), {"period": "2021"})
            if got.status_code != (ok if inside is not None else 404):
                wrong.append((name, place.code, ok, got.status_code))
            CELLS["pages"] += 1
        got = client.get("/api/v1/ledger", {"place": place.code, "from": "2021-01-01", "to": "2021-12-31"},
                         headers=headers)
        if got.status_code != (200 if inside is not None else 404):  # open data: no token needed
            wrong.append(("api ledger", place.code, got.status_code))
        CELLS["api"] += 1
    assert wrong == [], "\n".join(map(str, wrong))


# --- The Excel rosters, and the imports of each account ------------------------------------------------------

@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_roster_pages(world, db, client, role):
    login(client, world, role)
    anonymous, wrong = role.key == "anonymous", []
    site_in, site_out = scope_objects(world, role)["site"]
    for slug in ROSTERS:
        may = allowed(f"roster_{slug}", role, True)
        for name in ("rosters:template", "rosters:export"):
            got = client.get(reverse(name, args=[slug]))
            if not (login_url(got) if anonymous else got.status_code == (200 if may else 403)):
                wrong.append((name, slug, may, got.status_code))
            elif name == "rosters:export" and slug == "sites" and may:  # what is in the area, and only that
                names = {row[0] for row in openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content)),
                                                                  read_only=True).active.iter_rows(values_only=True)}
                if site_in.name not in names or (site_out.name in names) != (role.key == "superuser"):
                    wrong.append((name, slug, "exports outside its area" if site_out.name in names else "lacks"))
            CELLS["pages"] += 1
    own, other = world["import"].get(role.key), world["import"]["wlpx"]
    for inside, roster_import in ((True, own), (False, other)):
        if roster_import is None:
            continue  # no roster, so no import of its own
        for name, method, ok in (("rosters:preview", "get", 200), ("rosters:error_report", "get", 200),
                                 ("rosters:confirm", "post", 302), ("rosters:cancel", "post", 302)):
            with rolled_back():
                got = getattr(client, method)(reverse(name, args=[roster_import.pk]))
            if not (login_url(got) if anonymous else got.status_code == (ok if inside else 404)):
                wrong.append((name, inside, got.status_code))
            CELLS["pages"] += 1
    assert wrong == [], "\n".join(map(str, wrong))


# --- The back office: a superuser's only ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_admin_pages(world, db, client, role):
    login(client, world, role)
    wrong = []
    for model in admin.site._registry:
        for obj in (model.objects.order_by("pk").first(), model.objects.order_by("pk").last()):
            if obj is None:
                continue
            got = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]))
            if role.key == "superuser":
                ok = got.status_code == 200
            else:
                ok = got.status_code == 302 and got["Location"].startswith(reverse("admin:login"))
            if not ok:
                wrong.append((model._meta.label, obj.pk, got.status_code))
            CELLS["pages"] += 1
    assert wrong == [], "\n".join(map(str, wrong))


# --- The other API operations: places (not personal data), submitting a need, the open ledger -----------------

@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_api_operations(world, db, client, role, openapi):
    headers = api_client(client, world, role)
    anonymous, wrong = role.key == "anonymous", []
    place_in, place_out = scope_objects(world, role)["place"]

    def check(operation, got, ok):
        expected = 401 if anonymous and openapi[operation]["secured"] else ok
        if got.status_code != expected:
            wrong.append((operation, expected, got.status_code, got.content.decode()[:200]))
        CELLS["api"] += 1

    for place in (place_in, place_out):
        check("places_api_place_list", client.get("/api/v1/places", {"parent": place.parent.code},
                                                  headers=headers), 200)
        check("places_api_place_detail", client.get(f"/api/v1/places/{place.code}", headers=headers), 200)
        check("places_api_place_children", client.get(f"/api/v1/places/{place.parent.code}/children",
                                                      headers=headers), 200)
        with rolled_back():
            count = Need.objects.count()
            got = client.post("/api/v1/needs", {"title": "楼道灯不亮", "place": place.code},
                              content_type="application/json", headers=headers)
            check("needs_api_need_create", got, 201)  # anyone may report a need, anywhere (ACTIONS["submit"])
            if (Need.objects.count() == count + 1) != (got.status_code == 201):
                wrong.append(("needs_api_need_create", "wrote" if got.status_code != 201 else "did not write"))
    check("places_api_place_detail", client.get("/api/v1/places/999999999999", headers=headers), 404)
    check("places_api_place_children", client.get("/api/v1/places/999999999999/children", headers=headers), 404)
    # The categories: public, as the forms' choices.
    categories = client.get("/api/v1/categories", headers=headers)
    check("needs_api_category_list", categories, 200)
    for category in categories.json()["items"][:3] if categories.status_code == 200 else ():
        check("needs_api_category_detail", client.get(f"/api/v1/categories/{category['id']}", headers=headers), 200)
    check("needs_api_category_detail", client.get("/api/v1/categories/999999999", headers=headers), 404)
    # API tokens: one's own are listed and revoked; another's are not found, as a missing one.
    for inside in (True, False):
        token = world["token"][role.key if inside and not anonymous else "donghu"]
        got = client.get("/api/v1/auth/tokens", headers=headers)
        check("people_api_token_list", got, 200)
        if got.status_code == 200 and any(t["id"] == token.pk for t in got.json()["items"]) != inside:
            wrong.append(("people_api_token_list", "lists another's" if not inside else "lacks its own"))
        with rolled_back():
            check("people_api_token_revoke", client.delete(f"/api/v1/auth/tokens/{token.pk}", headers=headers),
                  204 if inside else 404)
    check("people_api_token_revoke", client.delete("/api/v1/auth/tokens/999999", headers=headers), 404)
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.fixture(scope="module")
def openapi(demo_db, django_db_blocker):
    """The API's operations, from its OpenAPI document: operation id → method, path and whether it needs a token."""
    from django.test import Client

    with django_db_blocker.unblock():
        document = Client().get("/api/v1/openapi.json").json()
    return {op["operationId"]: {"method": method, "path": path, "secured": bool(op.get("security"))}
            for path, ops in document["paths"].items() for method, op in ops.items()}


OPERATIONS = {  # the operations this matrix tests, besides one per action (need_<action>)
    "people_api_token_create": "api_client: each role's token, a visitor refused",
    "places_api_place_list": "test_api_operations", "places_api_place_detail": "test_api_operations",
    "places_api_place_children": "test_api_operations", "needs_api_category_list": "test_api_operations",
    "needs_api_category_detail": "test_api_operations",
    "needs_api_need_create": "test_api_operations", "needs_api_need_list": "test_need_reads",
    "needs_api_need_detail": "test_need_reads", "ledger_api_ledger": "test_ledger_pages",
    "people_api_token_list": "test_api_operations", "people_api_token_revoke": "test_api_operations",
    **dict.fromkeys(("sites_api_station_list", "sites_api_station_detail", "sites_api_station_loans",
                     "sites_api_station_items", "sites_api_station_movements", "sites_api_station_operated",
                     "sites_api_station_lend", "sites_api_station_stock", "sites_api_loan_return_endpoint",
                     "sites_api_loan_lost_endpoint"), "test_station_pages_and_api"),
    **dict.fromkeys(("offers_api_offer_list", "offers_api_offer_detail", "offers_api_offer_sessions",
                     "offers_api_booking_create",
                     "offers_api_booking_list", "offers_api_booking_detail"), "test_booking_api"),
    **dict.fromkeys(("volunteering_api_activity_list", "volunteering_api_activity_detail",
                     "volunteering_api_activity_signup", "volunteering_api_activity_checkin",
                     "volunteering_api_volunteer_me", "volunteering_api_volunteer_me_hours",
                     "volunteering_api_activity_signup_cancel", "volunteering_api_activity_hours",
                     "volunteering_api_activity_checkout",
                     "volunteering_api_activity_hours_certify"), "test_volunteering_api"),
    **dict.fromkeys(("mediation_api_dispute_list", "mediation_api_dispute_detail", "mediation_api_dispute_create"),
                    "test_mediation_api"),
    **dict.fromkeys(("meetings_api_meeting_list", "meetings_api_meeting_detail", "meetings_api_body_list"),
                    "test_meetings_api"),
    **dict.fromkeys(("interop_api_subscription_list", "interop_api_subscription_create",
                     "interop_api_subscription_disable", "interop_api_delivery_list", "interop_api_delivery_replay"),
                    "test_webhooks_api"),
}


def test_every_api_operation_has_a_rule(openapi, db):  # db: run with the module's other tests, on its demo
    actions = {f"need_{a}" for a, record in workflow.ACTIONS.items() if a != "submit" and not record.system_only}
    from offers.api import API_ACTIONS

    actions |= {f"booking_{a}" for a in API_ACTIONS}  # one per booking action: test_booking_api
    from mediation.api import API_ACTIONS as DISPUTE_ACTIONS

    actions |= {f"dispute_{a}" for a in DISPUTE_ACTIONS}  # one per dispute action: test_mediation_api
    assert set(openapi) - set(OPERATIONS) - actions == set(), "operations without a rule in the permission matrix"
    assert {op for op in actions if op in openapi} == actions
    assert {op for op, o in openapi.items() if not o["secured"]} == {
        "people_api_token_create", "ledger_api_ledger", "sites_api_station_list", "sites_api_station_detail",
        "offers_api_offer_list", "offers_api_offer_detail",  # the offers: public, as their pages
        "offers_api_offer_sessions",  # an offer's sessions: as the offer
        "volunteering_api_activity_list", "volunteering_api_activity_detail",  # published activities: public
        "meetings_api_meeting_list", "meetings_api_meeting_detail",  # published minutes: public
        "meetings_api_body_list",  # the bodies with a published meeting
        "needs_api_category_list", "needs_api_category_detail"}  # the categories: as the forms' choices


# Pages with an object in their address, and where the matrix tests each; those without one are the role's own
# (home, inbox, mine, the board …) and read no object.
PAGE_RULES = {
    **{page.name: "test_object_pages" for page in PAGES},
    **dict.fromkeys(("needs:detail", "needs:text_check", "needs:pick", "needs:track_detail", "need_photo",
                     "needs:proof", "needs:proof_json"), "test_need_reads"),
    "needs:act": "test_page_actions",
    **dict.fromkeys(("inbox_open", "needs:callback_reveal", "needs:callback_record",
                     "people:api_token_revoke"), "test_area_pages"),
    **dict.fromkeys(("ledger:public", "ledger:xlsx", "ledger:pdf", "ledger:csv", "ledger:deeds_csv"),
                    "test_ledger_pages"),
    **dict.fromkeys(("rosters:template", "rosters:export", "rosters:preview", "rosters:confirm", "rosters:cancel",
                     "rosters:error_report"), "test_roster_pages"),
    "rosters:upload": "refused as rosters:template (rosters.views.roster_for); an upload writes no record",
    "places:pick": "a picker's name, not an object: what it lists is the picker's rule (test_pickers)",
    "public_media": "the photos of sites: public (docs/product.md §10)",
    **{name: "test_station_pages_and_api" for name, *_rest in STATION_PAGES},
    **dict.fromkeys(("offers:detail", "offers:offer_update", "offers:sessions", "offers:session_create",
                     "offers:sessions_repeat", "offers:session_cancel", "offers:book", "offers:book_pick",
                     "offers:booking", "offers:booking_act", "offers:booking_contact"), "test_offer_pages"),
    **dict.fromkeys(("volunteering:detail", "volunteering:signup", "volunteering:signup_cancel",
                     "volunteering:checkin_code", "volunteering:checkin", "volunteering:checkin_do",
                     "volunteering:roster", "volunteering:roster_tick", "volunteering:walk_in",
                     "volunteering:walk_in_pick", "volunteering:hours_propose", "volunteering:hours_certify",
                     "volunteering:hours_correct", "volunteering:hours_query", "volunteering:certificate",
                     "volunteering:verify", "volunteering:activity_update", "volunteering:activity_cancel"),
                    "test_volunteering_pages"),
    **dict.fromkeys(("mediation:detail", "mediation:act", "mediation:party_add", "mediation:party_phone",
                     "mediation:mediator_add", "mediation:pick", "mediation:agreement", "mediation:from_need",
                     "mediation:pair_set", "mediation:pair_pick"), "test_mediation_pages"),
    **dict.fromkeys((f"meetings:{name}" for name in (
        "activity_create", "agenda_add", "attachment", "attachment_add", "attendance", "body", "meeting",
        "meeting_cancel", "meeting_create", "meeting_hold", "meeting_update", "member_add", "member_end", "member_pick",
        "minutes_approve", "minutes_publish", "minutes_revise", "minutes_version", "minutes_write", "need_create",
        "need_link", "need_pick", "public_detail", "resolution_decide", "resolution_done", "resolution_propose",
        "resolution_withdraw", "vote")), "test_meetings_pages"),
    **dict.fromkeys(("place_short", "site_short"), "a QR code's short address: a redirect to a page that has its "
                    "rule (places/tests/test_posters.py, sites/tests/test_site_posters.py)"),
    **dict.fromkeys((f"open311:{name}" for name in (
        "discovery", "services", "service", "requests", "request", "token")),
                    "Open311: what a visitor reads of the ledger, the same for every caller (only public needs, read "
                    "through needs.public; interop/tests/test_open311.py, the privacy walk)"),
    "checkpoint_json": "a signed checkpoint: public, the same for every caller, hashes only "
                       "(core/tests/test_checkpoint_pages.py, the privacy walk)",
}


def _named_patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) not in ("admin/", "api/v1/"):  # the back office and the API: tested above
                yield from _named_patterns(entry, f"{prefix}{entry.namespace + ':' if entry.namespace else ''}")
        elif isinstance(entry, URLPattern) and entry.name and entry.pattern.regex.groupindex:
            yield f"{prefix}{entry.name}"


def test_every_page_with_an_object_has_a_rule():
    assert set(_named_patterns(get_resolver())) - set(PAGE_RULES) == set(), \
        "pages with an object in their address but no rule in the permission matrix"


# --- Offers and bookings (offers/): the API's operations, every role × a booking inside and one outside --------
# Who is what to a booking (the relation table at the top of offers/workflow.py), read from the role's scope: the
# inside offer is the unit's (兰州电影制片厂) for 天庆嘉园社区, booked by (or for) its residents; the outside offer is
# a company's of 东岗东路社区, booked for a resident there. CAN["booking_staff"] are the area's staff (their area
# holds the person's home); CAN["offer_provider"] speaks for the inside offer's unit; the resident is the booker of
# their own bookings; CAN["manage_offer"] may open the unpublished offers of their area.

CAN.update({
    "booking_staff": {"subdistrict", "community", "grid"},
    "offer_provider": {"unit"},
    "manage_offer": {"subdistrict", "community", "unit"},
})


@pytest.fixture(scope="module")
def offers_world(world, django_db_blocker):
    """Two offers (inside, outside), each published with sessions and bookings in the states the actions leave
    from, and unpublished with one session; made through the services, as their people would."""
    from offers.services import booking_cancel, booking_confirm, booking_request, offer_create, session_create

    with django_db_blocker.unblock():
        admin_user, now = world["users"]["superuser"], timezone.now()
        jumin = world["person"]["resident"]
        away_community = world["away"].parent.parent
        neighbour = Person.objects.filter(home__code__startswith=GRID1, user__isnull=True, is_resident=True,
                                          memberships__isnull=True).exclude(pk=jumin.pk).order_by("pk").first()
        away_neighbour = person_create(actor=admin_user, name="东岗居民", phone="13999990002", home=world["away"],
                                       is_resident=True)
        sides = {
            True: {"provider": world["unit"]["unit"], "community": Place.objects.get(code=TQJY), "booker": jumin,
                   "booker_user": world["users"]["resident"], "other": neighbour},
            False: {"provider": Organisation.objects.get(pk=scopes.unit_ids(User.objects.get(username="donghu"))[0]),
                    "community": away_community, "booker": world["away_person"], "booker_user": None,
                    "other": away_neighbour},
        }
        o = {"bookings": {}, "offers": {}, "sessions": {}, "persons": {}}

        def session(offer, start, capacity):
            return session_create(actor=admin_user, offer=offer, starts_at=start,
                                  ends_at=start + datetime.timedelta(hours=1), capacity=capacity)

        def book(side, person, sess, at=None):
            actor = side["booker_user"] if person == side["booker"] and side["booker_user"] else admin_user
            return booking_request(actor=actor, session=sess, person=None if actor != admin_user else person, at=at)

        for inside, side in sides.items():
            offer = offer_create(actor=admin_user, kind="transport", name=f"矩阵接送{'内' if inside else '外'}",
                                 organisation=side["provider"], communities=[side["community"]], residents_only=False,
                                 confirmation="provider", is_published=True)
            hidden = offer_create(actor=admin_user, kind="lecture", name=f"矩阵讲座{'内' if inside else '外'}",
                                  organisation=side["provider"], communities=[side["community"]])
            o["offers"][inside, "published"], o["offers"][inside, "hidden"] = offer, hidden
            o["sessions"][inside, "free"] = session(offer, now + datetime.timedelta(days=3), 5)
            o["sessions"][inside, "hidden"] = session(hidden, now + datetime.timedelta(days=3), 5)
            o["persons"][inside] = side["other"]
            requested = book(side, side["booker"], session(offer, now + datetime.timedelta(days=2), 5))
            started = session(offer, now - datetime.timedelta(hours=1), 5)
            yesterday = now - datetime.timedelta(days=1)
            confirmed = booking_confirm(actor=admin_user, booking=book(side, side["booker"], started, at=yesterday),
                                        at=yesterday)
            one = session(offer, now + datetime.timedelta(days=4), 1)
            holder = book(side, side["other"], one)
            waiting = book(side, side["booker"], one)
            booking_cancel(actor=admin_user, booking=holder, reason="矩阵")
            waiting.refresh_from_db()
            assert (requested.state, confirmed.state, waiting.state) == ("requested", "confirmed", "offered")
            o["bookings"].update({(inside, "requested"): requested, (inside, "confirmed"): confirmed,
                                  (inside, "offered"): waiting})
        yield o


def booking_relations(role: R, inside: bool) -> set[str]:
    """What the role is to the bookings of one side, as offers/workflow.py's relation table defines it."""
    if role.key == "superuser":
        return {"staff"}
    if not inside or role.key == "anonymous":
        return set()
    found = {"booker"} if role.key == "resident" else set()
    if role.key in CAN["offer_provider"]:
        found.add("provider")
    if role.key in CAN["booking_staff"]:
        found.add("staff")
    return found


def booking_outcome(booking, action: str, rel: set[str], at) -> str:
    from offers import permissions as offer_permissions
    from offers import workflow as offer_workflow

    if not rel:
        return "missing"
    if offer_workflow.next_state(booking.state, action) is None:
        return "moved"
    if not rel & offer_workflow.ACTIONS[action].who:
        return "forbidden"
    return "guarded" if offer_permissions.refusal(booking, action, at, rel) else "done"


def booking_fresh(booking):
    from offers.models import Booking

    return Booking.objects.select_related("session__offer", "person").get(pk=booking.pk)


def test_booking_relations_agree_with_the_relation_table(world, offers_world, db):
    from offers.permissions import relations_to

    wrong = []
    for role in ROLES:
        for (inside, state), booking in offers_world["bookings"].items():
            got = relations_to(world["users"][role.key], booking_fresh(booking))
            if got != booking_relations(role, inside):
                wrong.append((role.key, inside, state, got, booking_relations(role, inside)))
    assert wrong == []


BOOKING_BODIES = {"decline": {"reason": "矩阵"}, "cancel": {"reason": "矩阵"}}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_booking_api(world, offers_world, db, client, role):
    from offers import workflow as offer_workflow
    from offers.api import API_ACTIONS
    from offers.models import Booking

    headers = api_client(client, world, role)
    anonymous, wrong, user = role.key == "anonymous", [], world["users"][role.key]

    def check(operation, got, expected, *cell, public=False):
        expected = 401 if anonymous and not public else expected
        if got.status_code != expected:
            wrong.append((operation, *cell, expected, got.status_code, got.content.decode()[:200]))
        CELLS["api"] += 1
        return got.status_code == expected and (public or not anonymous)

    # The offers list and a published offer: public (a visitor too); an unpublished one, those who manage it.
    listed = client.get("/api/v1/offers", {"limit": 200}, headers=headers)
    if check("offers_api_offer_list", listed, 200, public=True):
        ids = {item["id"] for item in listed.json()["items"]}
        for (inside, kind), offer in offers_world["offers"].items():
            if (offer.pk in ids) != (kind == "published"):
                wrong.append(("offers_api_offer_list", inside, kind, "listed" if offer.pk in ids else "missing"))
    for (inside, kind), offer in offers_world["offers"].items():
        shown = kind == "published" or allowed("manage_offer", role, inside)
        check("offers_api_offer_detail", client.get(f"/api/v1/offers/{offer.pk}", headers=headers),
              200 if shown else 404, inside, kind, public=True)
        check("offers_api_offer_sessions", client.get(f"/api/v1/offers/{offer.pk}/sessions", headers=headers),
              200 if shown else 404, inside, kind, public=True)  # as the offer
    check("offers_api_offer_detail", client.get("/api/v1/offers/999999999", headers=headers), 404, public=True)

    top = max(b.pk for b in offers_world["bookings"].values()) + 1
    page = client.get("/api/v1/bookings", {"before": top, "limit": 200}, headers=headers)
    if check("offers_api_booking_list", page, 200):
        ids = {item["id"] for item in page.json()["items"]}
        for (inside, state), booking in offers_world["bookings"].items():
            if (booking.pk in ids) != bool(booking_relations(role, inside)):
                wrong.append(("offers_api_booking_list", inside, state, booking.pk in ids))
    now = timezone.now()
    for (inside, state), booking in offers_world["bookings"].items():
        booking, rel = booking_fresh(booking), booking_relations(role, inside)
        one = client.get(f"/api/v1/bookings/{booking.pk}", headers=headers)
        if check("offers_api_booking_detail", one, 200 if rel else 404, inside, state) and rel:
            offered = {a for a in API_ACTIONS if booking_outcome(booking, a, rel, now) == "done"}
            if set(one.json()["actions"]) != offered:
                wrong.append(("offers_api_booking_detail actions", inside, state, one.json()["actions"], offered))
        for action in API_ACTIONS:
            expected = booking_outcome(booking, action, rel, now)
            with rolled_back():
                events = Event.objects.count()
                got = client.post(f"/api/v1/bookings/{booking.pk}/actions/{action}", BOOKING_BODIES.get(action, {}),
                                  content_type="application/json", headers=headers)
                check(f"booking_{action}", got, API_STATUS[expected], inside, state)
                after = Booking.objects.get(pk=booking.pk)
                if expected == "done" and not anonymous:
                    ok = (after.state == offer_workflow.next_state(booking.state, action)
                          and Event.objects.count() > events)
                else:
                    ok = after.state == booking.state and Event.objects.count() == events
                if not ok:
                    wrong.append((f"booking_{action}", inside, state, "wrote" if expected != "done" else "did not"))
    check("offers_api_booking_detail", client.get("/api/v1/bookings/999999999", headers=headers), 404)

    # Booking: for oneself (anyone on record, on a published offer's session), for someone else (staff of the area;
    # a person one may not open is refused as one that does not exist), on an unpublished offer (never).
    own = world["person"].get(role.key)
    for inside in (True, False):
        session = offers_world["sessions"][inside, "free"]
        with rolled_back():
            got = client.post("/api/v1/bookings", {"session": session.pk}, content_type="application/json",
                              headers=headers)
            check("offers_api_booking_create", got, 201 if own is not None else 422, inside, "self")
        person = offers_world["persons"][inside]
        visible = not anonymous and scopes.persons_visible_to(user).filter(pk=person.pk).exists()
        expected = 201 if visible and allowed("booking_staff", role, inside) else 403 if visible else 422
        with rolled_back():
            count = Booking.objects.count()
            got = client.post("/api/v1/bookings", {"session": session.pk, "person": person.pk},
                              content_type="application/json", headers=headers)
            check("offers_api_booking_create", got, expected, inside, "for someone")
            if (Booking.objects.count() == count + 1) != (got.status_code == 201):
                wrong.append(("offers_api_booking_create", inside, "wrote" if got.status_code != 201 else "did not"))
        with rolled_back():
            got = client.post("/api/v1/bookings", {"session": offers_world["sessions"][inside, "hidden"].pk},
                              content_type="application/json", headers=headers)
            check("offers_api_booking_create", got, 422, inside, "unpublished")
    assert wrong == [], "\n".join(map(str, wrong))


# --- The offers pages (offers/views.py): the same offers and bookings, every role, as a browser opens and sends them.
# An unpublished offer is read by those who manage it only (else 404); a published one's management pages refuse
# the others 403; a booking is read by what one is to it (booking_relations), its buttons answer as the API's
# actions (a refused action 403, a booking that moved on 409, a guard's words 422, done: back to a page, 302).

PAGE_OUTCOME = {"missing": 404, "moved": 409, "forbidden": 403, "guarded": 422, "done": 302}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_offer_pages(world, offers_world, db, client, role):
    from offers.models import Booking
    from offers.views import FACES

    login(client, world, role)
    anonymous, wrong, now = role.key == "anonymous", [], timezone.now()
    books = world["person"].get(role.key) is not None or role.key == "superuser" or role.key in CAN["booking_staff"]
    books_for_others = role.key == "superuser" or role.key in CAN["booking_staff"]

    def cell(name, url, method, expected, *where, body=None, writes=False):
        """One request in a savepoint; a refused one writes nothing (no event, no booking changed)."""
        with rolled_back():
            events, states = Event.objects.count(), list(Booking.objects.order_by("pk").values_list("state"))
            got = getattr(client, method)(url, body or {})
            wrote = (Event.objects.count(), list(Booking.objects.order_by("pk").values_list("state"))) != (
                events, states)
        answered = login_url(got) if expected == "login" else got.status_code == expected
        if not answered or (wrote and not writes):
            wrong.append((name, method, *where, expected, got.status_code, "wrote" if wrote else ""))
        CELLS["pages"] += 1

    def managed(expected_if_allowed, sees, manages):
        return "login" if anonymous else 404 if not sees else 403 if not manages else expected_if_allowed

    for (inside, kind), offer in offers_world["offers"].items():
        manages = allowed("manage_offer", role, inside)
        sees = kind == "published" or manages
        where = (inside, kind)
        cell("offers:detail", f"/offers/{offer.pk}/", "get", 200 if sees else 404, *where)
        cell("offers:offer_update", f"/offers/{offer.pk}/edit/", "get", managed(200, sees, manages), *where)
        cell("offers:offer_update", f"/offers/{offer.pk}/edit/", "post", managed(422, sees, manages), *where)
        cell("offers:sessions", f"/offers/{offer.pk}/sessions/", "get", managed(200, sees, manages), *where)
        for name, tail in (("offers:session_create", "new/"), ("offers:sessions_repeat", "repeat/")):
            cell(name, f"/offers/{offer.pk}/sessions/{tail}", "post", managed(422, sees, manages), *where)
        session = offers_world["sessions"][inside, "free" if kind == "published" else "hidden"]
        cell("offers:session_cancel", f"/offers/sessions/{session.pk}/cancel/", "post", managed(422, sees, manages),
             *where)
        cell("offers:book", f"/offers/sessions/{session.pk}/book/", "get",
             "login" if anonymous else 404 if not sees else 200 if books else 403, *where)
        cell("offers:book_pick", f"/offers/sessions/{session.pk}/book/pick/?name=person&person_q=1", "get",
             200 if sees and books_for_others else 404, *where)

    for (inside, state), booking in offers_world["bookings"].items():
        booking, rel = booking_fresh(booking), booking_relations(role, inside)
        where = (inside, state)
        cell("offers:booking", f"/offers/bookings/{booking.pk}/", "get",
             "login" if anonymous else 200 if rel else 404, *where)
        for action in FACES:
            outcome = booking_outcome(booking, action, rel, now)
            cell("offers:booking_act", f"/offers/bookings/{booking.pk}/act/{action}/", "post",
                 "login" if anonymous else PAGE_OUTCOME[outcome], *where, action,
                 body=BOOKING_BODIES.get(action), writes=outcome == "done")
        cell("offers:booking_contact", f"/offers/bookings/{booking.pk}/contact/", "post",
             "login" if anonymous else 404 if not rel else 200 if rel & {"provider", "staff"} else 403,
             *where, writes=bool(rel & {"provider", "staff"}))
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.fixture(scope="module", autouse=True)
def cell_count():
    yield
    print(f"\npermission matrix: {sum(CELLS.values())} cells", dict(CELLS))


# --- Volunteering (volunteering/): the API's operations, every role × an activity inside and one outside ----------
# Inside: activities at 天庆嘉园社区 organised by the unit (兰州电影制片厂); outside: at 东岗东路社区 by 东岗物业. Who
# organises (volunteering.permissions.is_organiser, docs/product.md §5): the unit's admins, and the community staff
# and subdistrict admins whose area holds the place (CAN["organise_activity"]). A published activity is public; an
# unpublished one is read by its organisers only (404 for others). Signing up and checking in by the QR code are the
# caller's own (201/200, or 422 in words: not registered, not signed up …); ticking someone else in is the
# organiser's (403 for others, on an activity they may read).

CAN["organise_activity"] = {"subdistrict", "community", "unit"}


@pytest.fixture(scope="module")
def volunteering_world(world, django_db_blocker):
    """Per side: a published and an unpublished activity far ahead, and one going on now with every role's person
    registered as a volunteer and signed up (before it started); a volunteer of no role to tick in as a walk-in."""
    from django.core.exceptions import ValidationError

    from volunteering.models import Volunteer
    from volunteering.services import activity_create, signup_create, volunteer_register

    with django_db_blocker.unblock():
        admin_user, now = world["users"]["superuser"], timezone.now()
        far = now.replace(microsecond=0) + datetime.timedelta(days=400)
        sides = {True: (Place.objects.get(code=TQJY), world["unit"]["unit"]),
                 False: (world["away"].parent.parent, world["away_org"])}
        v = {"activities": {}, "signed_up": set()}

        def make(inside, kind, start, published=True, hours=2):
            place, organisation = sides[inside]
            return activity_create(actor=admin_user, kind=kind, name=f"矩阵志愿活动{'内' if inside else '外'}",
                                   place=place, organisation=organisation, starts_at=start,
                                   ends_at=start + datetime.timedelta(hours=hours), capacity=50, is_published=published,
                                   at=now - datetime.timedelta(days=1))

        for inside in sides:
            v["activities"][inside, "published"] = make(inside, "care", far)
            v["activities"][inside, "hidden"] = make(inside, "care", far + datetime.timedelta(hours=3), published=False)
            v["activities"][inside, "now"] = make(inside, "other", now - datetime.timedelta(minutes=10), hours=1)
        for role in ROLES:
            person = world["person"].get(role.key)
            if person is None:
                continue
            volunteer = Volunteer.objects.filter(person=person).first() or volunteer_register(actor=admin_user,
                                                                                             person=person)
            for inside in (True, False):
                try:
                    signup_create(actor=admin_user, activity=v["activities"][inside, "now"], volunteer=volunteer,
                                  at=now - datetime.timedelta(hours=1))
                    v["signed_up"].add((role.key, inside))
                except ValidationError:  # signed up for a demo activity at the same time: refused, as it should be
                    pass
        v["walk_in"] = volunteer_register(actor=admin_user, person=world["away_person"])
        yield v


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_volunteering_api(world, volunteering_world, db, client, role):
    from volunteering.models import Signup, Volunteer

    headers = api_client(client, world, role)
    anonymous, wrong = role.key == "anonymous", []
    person = world["person"].get(role.key)
    registered = person is not None and Volunteer.objects.filter(person=person).exists()

    def check(operation, got, expected, *cell):
        if got.status_code != expected:
            wrong.append((operation, *cell, expected, got.status_code, got.content.decode()[:200]))
        CELLS["api"] += 1
        return got.status_code == expected

    def written():
        return Signup.objects.count(), Event.objects.count(), list(
            Signup.objects.order_by("pk").values_list("state", "checked_in_at"))

    listed = client.get("/api/v1/activities", {"limit": 200}, headers=headers)
    if check("volunteering_api_activity_list", listed, 200):
        ids = {a["id"] for a in listed.json()["items"]}
        for (inside, kind), activity in volunteering_world["activities"].items():
            if (activity.pk in ids) != (kind != "hidden"):
                wrong.append(("volunteering_api_activity_list", inside, kind, activity.pk in ids))
    for (inside, kind), activity in volunteering_world["activities"].items():
        organiser = allowed("organise_activity", role, inside)
        got = client.get(f"/api/v1/activities/{activity.pk}", headers=headers)
        shown = kind != "hidden" or organiser
        if check("volunteering_api_activity_detail", got, 200 if shown else 404, inside, kind) and shown:
            body = got.json()
            if (body["signups"] is not None, body["checkin_code"] is not None) != (organiser, organiser):
                wrong.append(("volunteering_api_activity_detail organiser's part", inside, kind, organiser))
    check("volunteering_api_activity_detail", client.get("/api/v1/activities/999999999", headers=headers), 404)

    for inside in (True, False):
        for kind in ("published", "hidden"):
            activity = volunteering_world["activities"][inside, kind]
            visible = kind == "published" or allowed("organise_activity", role, inside)
            expected = 401 if anonymous else 404 if not visible else 201 if registered and kind == "published" else 422
            with rolled_back():
                before = written()
                got = client.post(f"/api/v1/activities/{activity.pk}/signups", {}, content_type="application/json",
                                  headers=headers)
                check("volunteering_api_activity_signup", got, expected, inside, kind)
                if (written() != before) != (got.status_code == 201):
                    wrong.append(("volunteering_api_activity_signup", inside, kind, "wrote" if got.status_code != 201
                                  else "did not"))
        activity = volunteering_world["activities"][inside, "now"]
        url = f"/api/v1/activities/{activity.pk}/checkin"
        own = (role.key, inside) in volunteering_world["signed_up"]
        for body, expected in (
                ({"code": activity.checkin_code}, 401 if anonymous else 200 if own else 422),
                ({"volunteer": volunteering_world["walk_in"].pk, "walk_in": True},
                 401 if anonymous else 200 if allowed("organise_activity", role, inside) else 403)):
            with rolled_back():
                before = written()
                got = client.post(url, body, content_type="application/json", headers=headers)
                check("volunteering_api_activity_checkin", got, expected, inside, sorted(body))
                if (written() != before) != (got.status_code == 200):
                    wrong.append(("volunteering_api_activity_checkin", inside, sorted(body),
                                  "wrote" if got.status_code != 200 else "did not"))

        # Checking out: one's own sign-up, not checked in (422); an organiser's for a volunteer who has none (404);
        # the others' for someone else 403; nothing written.
        for body, expected in (({}, 401 if anonymous else 422 if own else 404),
                               ({"volunteer": volunteering_world["walk_in"].pk},
                                401 if anonymous else 404 if allowed("organise_activity", role, inside) else 403)):
            with rolled_back():
                before = written()
                got = client.post(f"/api/v1/activities/{activity.pk}/checkout", body, content_type="application/json",
                                  headers=headers)
                check("volunteering_api_activity_checkout", got, expected, inside, sorted(body))
                if written() != before:
                    wrong.append(("volunteering_api_activity_checkout", inside, sorted(body), "wrote"))
        # Cancelling one's own sign-up: someone without one is answered as for a missing one.
        with rolled_back():
            before = written()
            got = client.post(f"/api/v1/activities/{activity.pk}/signups/cancel", headers=headers)
            check("volunteering_api_activity_signup_cancel", got, 401 if anonymous else 200 if own else 404, inside)
            if (written() != before) != (got.status_code == 200):
                wrong.append(("volunteering_api_activity_signup_cancel", inside,
                              "wrote" if got.status_code != 200 else "did not"))
        # The hours to certify: the organisers' (none proposed yet: 422), as missing to anyone else; nothing written.
        organiser = allowed("organise_activity", role, inside)
        with rolled_back():
            before = written()
            got = client.post(f"/api/v1/activities/{activity.pk}/hours/certify", headers=headers)
            check("volunteering_api_activity_hours_certify", got, 401 if anonymous else 422 if organiser else 404,
                  inside)
            if written() != before:
                wrong.append(("volunteering_api_activity_hours_certify", inside, "wrote"))
    for (inside, kind), activity in volunteering_world["activities"].items():
        organiser = allowed("organise_activity", role, inside)
        check("volunteering_api_activity_hours", client.get(f"/api/v1/activities/{activity.pk}/hours",
                                                            headers=headers),
              401 if anonymous else 200 if organiser else 404, inside, kind)

    me = client.get("/api/v1/volunteers/me", headers=headers)
    check("volunteering_api_volunteer_me", me, 401 if anonymous else 200 if registered else 404)
    hours = client.get("/api/v1/volunteers/me/hours", headers=headers)
    check("volunteering_api_volunteer_me_hours", hours, 401 if anonymous else 200 if registered else 404)
    assert wrong == [], "\n".join(map(str, wrong))


# --- The volunteering pages (volunteering/views.py): the same activities, every role, as a browser opens and sends
# them. An activity is read as the API reads it (an unpublished one by its organisers only, else 404); its
# organiser's pages (check-in code, list, ticks, walk-ins, hours, edit, cancel) refuse the others 403 on an activity
# they may read; a form sent empty answers its organiser 422, nothing written. A sign-up, an entry of hours and a
# certificate are their volunteer's (someone else's: 404); the check-in code's page is anyone's who has the code;
# the verification page is public.

@pytest.fixture(scope="module")
def volunteering_pages_world(world, volunteering_world, django_db_blocker):
    """Per side: an activity of 400 days ago (at 3 in the morning, when no demo activity overlaps) where the walk-in
    volunteer and (inside) every role's volunteer were ticked in, their hours certified, and each a certificate."""
    from volunteering.models import ServiceHours, Volunteer
    from volunteering.services import activity_create, certificate_issue, checkin, hours_certify, hours_propose

    with django_db_blocker.unblock():
        admin_user, now = world["users"]["superuser"], timezone.now().replace(microsecond=0)
        start = (now - datetime.timedelta(days=400)).replace(hour=3, minute=0, second=0)
        sides = {True: (Place.objects.get(code=TQJY), world["unit"]["unit"]),
                 False: (world["away"].parent.parent, world["away_org"])}
        p = {"entries": {}, "certificates": {}}
        for inside, (place, organisation) in sides.items():
            if not inside:  # the walk-in volunteer served on both sides: not at the same time
                start += datetime.timedelta(hours=4)
            past = activity_create(actor=admin_user, kind="care", name=f"矩阵旧活动{'内' if inside else '外'}",
                                   place=place, organisation=organisation, starts_at=start,
                                   ends_at=start + datetime.timedelta(hours=2), at=start - datetime.timedelta(days=1))
            volunteers = [volunteering_world["walk_in"]]
            if inside:
                volunteers += [Volunteer.objects.get(person=world["person"][r.key]) for r in ROLES
                               if world["person"].get(r.key) is not None]
            for volunteer in volunteers:
                checkin(actor=admin_user, activity=past, volunteer=volunteer, walk_in=True,
                        at=start + datetime.timedelta(minutes=5))
            hours_propose(activity=past, at=start + datetime.timedelta(hours=3))
            hours_certify(actor=admin_user, entries_or_activity=past, at=start + datetime.timedelta(hours=4))
            p["activities", inside] = past
            p["entries"][inside] = ServiceHours.objects.get(activity=past, volunteer=volunteering_world["walk_in"])
            for volunteer in volunteers:
                if inside or volunteer == volunteering_world["walk_in"]:
                    p["certificates"][volunteer.pk, inside] = certificate_issue(
                        actor=admin_user, volunteer=volunteer, first_day=start.date(), last_day=start.date(),
                        issuer=organisation, person_in_charge="矩阵负责人", contact="0931-8000000",
                        at=start + datetime.timedelta(days=1))
        yield p


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_volunteering_pages(world, volunteering_world, volunteering_pages_world, db, client, role):
    from volunteering.models import Signup, Volunteer

    login(client, world, role)
    anonymous, wrong = role.key == "anonymous", []
    person = world["person"].get(role.key)
    own = Volunteer.objects.filter(person=person).first() if person is not None else None

    def written():
        return Event.objects.count(), list(Signup.objects.order_by("pk").values_list("state", "checked_in_at"))

    def cell(name, url, method, expected, *where, body=None, writes=False):
        """One request in a savepoint; a refused one writes nothing."""
        with rolled_back():
            before = written()
            got = getattr(client, method)(url, body or {})
            wrote = written() != before
        answered = login_url(got) if expected == "login" else got.status_code == expected
        if not answered or (wrote and not writes):
            wrong.append((name, method, *where, expected, got.status_code, "wrote" if wrote else ""))
        CELLS["pages"] += 1

    def organisers(expected, sees, organises):
        return "login" if anonymous else 404 if not sees else 403 if not organises else expected

    for (inside, kind), activity in volunteering_world["activities"].items():
        organises = allowed("organise_activity", role, inside)
        sees = kind != "hidden" or organises
        where, a = (inside, kind), activity.pk
        cell("volunteering:detail", f"/volunteering/{a}/", "get", 200 if sees else 404, *where)
        for name, tail, method, expected in (
                ("volunteering:checkin_code", "code/", "get", 200), ("volunteering:roster", "list/", "get", 200),
                ("volunteering:activity_update", "edit/", "get", 200),
                ("volunteering:activity_update", "edit/", "post", 422),
                ("volunteering:activity_cancel", "cancel/", "post", 422),
                ("volunteering:roster_tick", "list/tick/", "post", 422),
                ("volunteering:walk_in", "list/walk-in/", "post", 422),
                ("volunteering:hours_propose", "hours/propose/", "post", 422),
                ("volunteering:hours_certify", "hours/certify/", "post", 422)):
            cell(name, f"/volunteering/{a}/{tail}", method, organisers(expected, sees, organises), *where)
        cell("volunteering:walk_in_pick", f"/volunteering/{a}/list/walk-in/pick/?name=person&person_q=ke", "get",
             200 if sees and organises else 404, *where)
        signs_up = kind == "published" and own is not None
        cell("volunteering:signup", f"/volunteering/{a}/signup/", "post",
             "login" if anonymous else 404 if not sees else 302 if signs_up else 422, *where, writes=signs_up)
        if kind == "now":
            checked = (role.key, inside) in volunteering_world["signed_up"]
            code = f"/volunteering/{a}/c/{activity.checkin_code}/"
            cell("volunteering:checkin", code, "get", "login" if anonymous else 200, *where)
            cell("volunteering:checkin", f"/volunteering/{a}/c/not-the-code/", "get", 404, *where)
            cell("volunteering:checkin_do", code + "do/", "post", "login" if anonymous else 302 if checked else 422,
                 *where, body={"action": "in"}, writes=checked)
            cell("volunteering:checkin_do", f"/volunteering/{a}/c/not-the-code/do/", "post",
                 "login" if anonymous else 404, *where, body={"action": "in"})
            for signup in Signup.objects.filter(activity=activity):
                mine = own is not None and signup.volunteer_id == own.pk
                if not mine:  # someone else's sign-up: as if it did not exist
                    cell("volunteering:signup_cancel", f"/volunteering/signups/{signup.pk}/cancel/", "post",
                         "login" if anonymous else 404, *where)

    for inside in (True, False):
        organises = allowed("organise_activity", role, inside)
        entry = volunteering_pages_world["entries"][inside]  # the walk-in volunteer's, of no role
        cell("volunteering:hours_correct", f"/volunteering/hours/{entry.pk}/correct/", "post",
             organisers(422, True, organises), inside)
        cell("volunteering:hours_query", f"/volunteering/hours/{entry.pk}/query/", "post",
             "login" if anonymous else 404, inside)
    for (volunteer, inside), certificate in volunteering_pages_world["certificates"].items():
        mine = own is not None and volunteer == own.pk
        others = volunteer == volunteering_world["walk_in"].pk  # outside every role's scope
        if mine or others:
            cell("volunteering:certificate", f"/volunteering/certificates/{certificate.pk}.pdf", "get",
                 "login" if anonymous else 200 if mine or role.key == "superuser" else 404, inside, mine)
        cell("volunteering:verify", f"/volunteering/verify/{certificate.number}/", "get", 200, inside)
    cell("volunteering:verify", "/volunteering/verify/ZYZM-2021-000001-AAAA/", "get", 404)
    assert wrong == [], "\n".join(map(str, wrong))


# --- Mediation (mediation/): the API's operations, every role × a dispute in each stage inside and outside ---------
# A dispute is read by its mediators, the staff whose area holds its place (subdistrict admins, community staff) and
# superusers; anyone else is answered 404, as for a missing case (SPEC §7, mediation.permissions). Inside: disputes
# at a building of 天庆嘉园 whose building head is the party member (dangyuan), so they mediate them; outside: at
# 东岗小区, nobody's case. Who reads may take every action the stage table allows; another is refused in words (422).

MEDIATION_READERS = {"subdistrict", "community", "member"}  # inside; outside only a superuser
MEDIATION_STATES = ("received", "assessed", "mediating", "concluded", "fed_back")


def mediation_reads(role: R, inside: bool) -> bool:
    return role.key == "superuser" or (inside and role.key in MEDIATION_READERS)


@pytest.fixture(scope="module")
def mediation_world(world, django_db_blocker):
    from mediation.services import (
        building_pair_set,
        dispute_agree,
        dispute_assess,
        dispute_feed_back,
        dispute_mediate,
        dispute_receive,
    )

    with django_db_blocker.unblock():
        admin_user, head = world["users"]["superuser"], world["users"]["member"]
        building = Place.objects.filter(code__startswith=GRID1, kind="building").order_by("code").first()
        building_pair_set(actor=admin_user, building=building, head=world["person"]["member"],
                          since=datetime.date(2021, 1, 1))
        today = timezone.localdate()
        disputes = {}
        for inside in (True, False):
            actor, place = (head, building) if inside else (admin_user, world["away"])
            for state in MEDIATION_STATES:
                d = dispute_receive(actor=actor, kind="leak", title=f"矩阵漏水{state}", place=place, parties=[
                    {"role": "applicant", "name": "矩阵甲", "phone": "13900000001", "address": "1单元101"},
                    {"role": "respondent", "name": "矩阵乙", "address": "1单元201"}])
                steps = MEDIATION_STATES.index(state)
                if steps >= 1:
                    dispute_assess(actor=actor, dispute=d, note="矩阵")
                if steps >= 2:
                    dispute_mediate(actor=actor, dispute=d)
                if steps >= 3:
                    dispute_agree(actor=actor, dispute=d, facts="矩阵", terms="矩阵", performance="矩阵",
                                  perform_by=today, signed_on=today)
                if steps >= 4:
                    dispute_feed_back(actor=actor, dispute=d, note="矩阵")
                disputes[inside, state] = d
        yield {"disputes": disputes, "building": building}


def mediation_body(dispute, action: str) -> dict:
    today = timezone.localdate().isoformat()
    return {"mediate": {}, "agree": {"facts": "矩阵", "terms": "矩阵", "performance": "矩阵", "perform_by": today,
                                     "signed_on": today},
            "no_agreement": {"referred_to": "12345热线"}, "refuse": {"party": dispute.parties.first().pk},
            "follow_up": {"note": "矩阵", "performed": True}}.get(action, {"note": "矩阵"})


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_mediation_api(world, mediation_world, db, client, role):
    from mediation import workflow as mediation_workflow
    from mediation.api import API_ACTIONS
    from mediation.models import Dispute

    headers = api_client(client, world, role)
    anonymous, wrong = role.key == "anonymous", []

    def check(operation, got, expected, *cell):
        expected = 401 if anonymous else expected
        if got.status_code != expected:
            wrong.append((operation, *cell, expected, got.status_code, got.content.decode()[:200]))
        CELLS["api"] += 1
        return got.status_code == expected and not anonymous

    disputes = mediation_world["disputes"]
    top = max(d.pk for d in disputes.values()) + 1
    listed = client.get("/api/v1/disputes", {"before": top, "limit": 200}, headers=headers)
    if check("mediation_api_dispute_list", listed, 200):
        ids = {item["id"] for item in listed.json()["items"]}
        for (inside, state), d in disputes.items():
            if (d.pk in ids) != mediation_reads(role, inside):
                wrong.append(("mediation_api_dispute_list", inside, state, d.pk in ids))
    for (inside, state), d in disputes.items():
        reads = mediation_reads(role, inside)
        one = client.get(f"/api/v1/disputes/{d.pk}", headers=headers)
        if check("mediation_api_dispute_detail", one, 200 if reads else 404, inside, state) and reads:
            offered = [a for a in mediation_workflow.actions_from(state) if a in API_ACTIONS]
            if one.json()["actions"] != offered:
                wrong.append(("mediation_api_dispute_detail actions", inside, state, one.json()["actions"], offered))
        for action in API_ACTIONS:
            outcome = "missing" if not reads else "done" if mediation_workflow.next_state(state, action) else "guarded"
            with rolled_back():
                events = Event.objects.count()
                got = client.post(f"/api/v1/disputes/{d.pk}/actions/{action}", mediation_body(d, action),
                                  content_type="application/json", headers=headers)
                check(f"dispute_{action}", got, API_STATUS[outcome], inside, state)
                after = Dispute.objects.get(pk=d.pk).state
                if outcome == "done" and not anonymous:
                    ok = after == mediation_workflow.next_state(state, action) and Event.objects.count() > events
                else:
                    ok = after == state and Event.objects.count() == events
                if not ok:
                    wrong.append((f"dispute_{action}", inside, state, "wrote" if outcome != "done" else "did not"))
    check("mediation_api_dispute_detail", client.get("/api/v1/disputes/999999999", headers=headers), 404)
    # The intake: the staff of the area and the building's head record a dispute at the building; others 403.
    for inside, place in ((True, mediation_world["building"]), (False, world["away"])):
        receives = role.key == "superuser" or (inside and role.key in MEDIATION_RECEIVERS)
        with rolled_back():
            count = Dispute.objects.count()
            got = client.post("/api/v1/disputes", {"kind": "noise", "title": "矩阵噪音", "place": place.code,
                                                   "parties": [{"role": "applicant", "name": "矩阵甲"},
                                                               {"role": "respondent", "name": "矩阵乙"}]},
                              content_type="application/json", headers=headers)
            check("mediation_api_dispute_create", got, 201 if receives else 403, inside)
            if (Dispute.objects.count() == count + 1) != (got.status_code == 201):
                wrong.append(("mediation_api_dispute_create", inside, "wrote" if got.status_code != 201 else "not"))
    assert wrong == [], "\n".join(map(str, wrong))


# --- Mediation's pages (mediation/views.py): every role × the disputes above, a 邻里纠纷 need and a building ----------
# The case's pages answer as the API: its readers (MEDIATION_READERS inside, superusers) open it and take the actions
# its stage allows; anyone else is answered 404, as for a missing case, and nothing is written. A need is turned into
# a dispute by those who record disputes at its place (the area's staff, the building's pair); a building's pair is
# set by its area's staff (others: 403 — the building's page is everyone's who signs in).

MEDIATION_RECEIVERS = {"subdistrict", "community", "member"}  # inside: the staff and the building's head
CAN["set_building_pair"] = {"subdistrict", "community"}


@pytest.fixture(scope="module")
def mediation_pages_world(world, mediation_world, django_db_blocker):
    from needs.services import need_submit

    with django_db_blocker.unblock():
        admin_user = world["users"]["superuser"]
        category = Category.objects.get_or_create(name="邻里纠纷")[0]
        inside = Place.objects.filter(code__startswith=GRID1, kind="building").order_by("code").first()
        outside = place_create(actor=admin_user, kind="building", name="东岗小区1号楼", code=world["away"].code + "001",
                               parent=world["away"])
        needs = {side: need_submit(actor=admin_user, title="矩阵楼上漏水", place=building, category=category,
                                   reporter=world["person"]["resident"])
                 for side, building in ((True, inside), (False, outside))}
        return {"buildings": {True: inside, False: outside}, "needs": needs}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_mediation_pages(world, mediation_world, mediation_pages_world, db, client, role):
    from mediation import workflow as mediation_workflow
    from mediation.models import Dispute

    login(client, world, role)
    anonymous, wrong = role.key == "anonymous", []

    def cell(name, url, method, expected, *where, body=None, writes=False):
        """A refusal writes nothing but, for a reader, the log of the case page it shows again (a full view)."""
        with rolled_back():
            last = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            got = getattr(client, method)(url, body or {})
            events = Event.objects.filter(pk__gt=last)
            wrote = events.exclude(verb="dispute_view").exists() or (got.status_code == 404 and events.exists())
        answered = login_url(got) if anonymous else got.status_code == expected
        if not answered or (wrote and not writes):
            wrong.append((name, method, *where, expected, got.status_code, "wrote" if wrote else ""))
        CELLS["pages"] += 1

    for (inside, state), d in mediation_world["disputes"].items():
        reads = mediation_reads(role, inside)
        url = f"/mediation/{d.pk}/"
        cell("mediation:detail", url, "get", 200 if reads else 404, inside, state, writes=reads)  # a logged view
        for action in API_ACTIONS_OF_PAGES:
            possible = mediation_workflow.next_state(state, action) is not None
            body = {f"{action}-{k}": ("yes" if v is True else v) for k, v in mediation_body(d, action).items()}
            cell("mediation:act", f"{url}act/{action}/", "post", 404 if not reads else 302 if possible else 422,
                 inside, state, action, body=body, writes=reads and possible)
        cell("mediation:party_add", f"{url}parties/", "post", 422 if reads else 404, inside, state)
        cell("mediation:mediator_add", f"{url}mediators/", "post", 422 if reads else 404, inside, state)
        cell("mediation:party_phone", f"{url}parties/{d.parties.first().pk}/phone/", "post", 200 if reads else 404,
             inside, state, writes=reads)
        cell("mediation:pick", f"{url}pick/party/?name=party-person&party-person_q=wang", "get",
             200 if reads else 404, inside, state)
        if state in ("concluded", "fed_back"):
            cell("mediation:agreement", f"{url}agreement.pdf", "get", 200 if reads else 404, inside, state,
                 writes=reads)
    top = Dispute.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    cell("mediation:detail", f"/mediation/{top}/", "get", 404, "missing")
    for inside, need in mediation_pages_world["needs"].items():
        receives = role.key == "superuser" or (inside and role.key in MEDIATION_RECEIVERS)
        cell("mediation:from_need", f"/mediation/from-need/{need.pk}/", "get", 200 if receives else 404, inside)
        cell("mediation:from_need", f"/mediation/from-need/{need.pk}/", "post", 422 if receives else 404, inside)
    for inside, building in mediation_pages_world["buildings"].items():
        sets = allowed("set_building_pair", role, inside)
        cell("mediation:pair_set", f"/mediation/pairs/{building.code}/", "get", 200 if sets else 403, inside)
        cell("mediation:pair_set", f"/mediation/pairs/{building.code}/", "post", 422 if sets else 403, inside)
        cell("mediation:pair_pick", f"/mediation/pairs/{building.code}/pick/head/?name=pair-head", "get",
             200 if sets else 404, inside)
    assert wrong == [], "\n".join(map(str, wrong))


API_ACTIONS_OF_PAGES = ["assess", "mediate", "record", "agree", "no_agreement", "refuse", "withdraw", "escalate",
                        "feed_back", "follow_up", "reopen"]


# --- Meetings' pages (meetings/views.py): every role × a resident council's meeting inside and outside -------------
# A body and its meetings are managed by the staff whose area holds its place (subdistrict admins, community staff)
# and superusers; they and the body's members read a meeting in full; anyone else is answered 404 (as for a missing
# one), a visitor sent to sign in. A member does not manage (403 in words); a vote is a member's own (403 for others).
# The public page of published minutes is everyone's. Inside: a council of 天庆嘉园 whose members are the resident's
# and the committee member's persons; outside: one of the subdistrict outside every role's scope.

CAN["manage_meetings"] = {"subdistrict", "community"}
MEETING_MEMBERS = {"resident", "committee"}


@pytest.fixture(scope="module")
def meetings_world(world, django_db_blocker):
    from meetings import services

    with django_db_blocker.unblock():
        admin_user = world["users"]["superuser"]
        start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
        sides = {True: (Place.objects.get(code=TQJY), [world["person"]["resident"], world["person"]["committee"]]),
                 False: (world["away"].parent.parent, [world["away_person"]])}
        m = {}
        for inside, (place, people) in sides.items():
            body = services.body_create(actor=admin_user, kind="council", place=place,
                                        name=f"矩阵居民议事会{'内' if inside else '外'}")
            for person in people:
                services.member_add(actor=admin_user, body=body, person=person, since=datetime.date(2021, 1, 1))
            meeting = services.meeting_schedule(actor=admin_user, body=body, title="矩阵议事会议", starts_at=start,
                                                agenda=["议题"])
            services.attendance_record(actor=admin_user, meeting=meeting, presence={
                a: "present" for a in meeting.attendances.values_list("member_id", flat=True)})
            services.meeting_hold(actor=admin_user, meeting=meeting)
            minutes = services.minutes_write(actor=admin_user, meeting=meeting, text="矩阵会议纪要")
            sheet = services.attachment_add(actor=admin_user, minutes=minutes, name="签到表",
                                            file=SimpleUploadedFile("sheet.pdf", b"%PDF-1.4\n%%EOF\n"))
            services.minutes_approve(actor=admin_user, minutes=minutes)
            services.minutes_publish(actor=admin_user, minutes=minutes)
            counted = services.resolution_propose(actor=admin_user, meeting=meeting, title="举手表决的动议")
            voted = services.resolution_propose(actor=admin_user, meeting=meeting, title="逐人表决的动议",
                                                vote_mode="members")
            adopted = services.resolution_propose(actor=admin_user, meeting=meeting, title="已通过的决议")
            services.resolution_decide(actor=admin_user, resolution=adopted, votes_for=len(people), votes_against=0,
                                       votes_abstain=0)
            m[inside] = {"body": body, "meeting": meeting, "counted": counted, "voted": voted, "adopted": adopted,
                         "minutes": minutes, "sheet": sheet, "member": body.members.first(),
                         "scheduled": services.meeting_schedule(actor=admin_user, body=body, title="下次会议",
                                                                starts_at=start + datetime.timedelta(days=9))}
        return m


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_meetings_pages(world, meetings_world, db, client, role):
    login(client, world, role)
    anonymous, wrong = role.key == "anonymous", []

    def cell(name, url, method, expected, inside, body=None, writes=False):
        """One request in a savepoint; a refused one writes nothing."""
        with rolled_back():
            before = Event.objects.count()
            got = getattr(client, method)(url, body or {})
            wrote = Event.objects.count() != before
        answered = login_url(got) if expected == "login" else got.status_code == expected
        if not answered or (wrote and not writes):
            wrong.append((name, method, inside, expected, got.status_code, "wrote" if wrote else ""))
        CELLS["pages"] += 1

    for inside, m in meetings_world.items():
        manages = allowed("manage_meetings", role, inside)
        member = inside and role.key in MEETING_MEMBERS
        sees = manages or member

        def read(expected=200, sees=sees):
            return "login" if anonymous else expected if sees else 404

        def manager(expected, sees=sees, manages=manages):
            return "login" if anonymous else 404 if not sees else expected if manages else 403

        meeting, body = m["meeting"].pk, m["body"].pk
        counted, voted, adopted = m["counted"].pk, m["voted"].pk, m["adopted"].pk
        cell("meetings:list", "/meetings/", "get", "login" if anonymous else 200, inside)
        cell("meetings:meeting", f"/meetings/{meeting}/", "get", read(), inside)
        cell("meetings:body", f"/meetings/bodies/{body}/", "get", read(), inside)
        cell("meetings:minutes_version", f"/meetings/{meeting}/minutes/1/", "get", read(), inside)
        cell("meetings:meeting_create", f"/meetings/bodies/{body}/schedule/", "get", manager(200), inside)
        cell("meetings:meeting_update", f"/meetings/{meeting}/edit/", "get", manager(200), inside)
        cell("meetings:need_create", f"/meetings/resolutions/{adopted}/need/", "get", manager(200), inside)
        cell("meetings:need_pick", f"/meetings/resolutions/{adopted}/link/pick/?name=need&need_q=1", "get",
             "login" if anonymous else 200 if manages else 404, inside)
        cell("meetings:meeting_hold", f"/meetings/{meeting}/hold/", "post", manager(422), inside)  # held already
        cell("meetings:resolution_decide", f"/meetings/resolutions/{counted}/decide/", "post", manager(302), inside,
             body={f"r{counted}-votes_for": "1", f"r{counted}-votes_against": "0", f"r{counted}-votes_abstain": "0"},
             writes=manages)
        cell("meetings:vote", f"/meetings/resolutions/{voted}/vote/", "post",
             "login" if anonymous else 404 if not sees else 302 if member else 403, inside,
             body={f"r{voted}o-choice": "for"}, writes=member)
        cell("meetings:public_detail", f"/meetings/public/{meeting}/", "get", 200, inside)
        # The managers' other writes: a refused form or state writes nothing; a done one writes its event.
        minutes, scheduled, member = m["minutes"].pk, m["scheduled"].pk, m["member"].pk
        # a private file: 404 to anyone but the members and managers (public files need no login)
        cell("meetings:attachment", f"/meetings/attachments/{m['sheet'].pk}/", "get", 200 if sees else 404, inside)
        cell("meetings:member_add", f"/meetings/bodies/{body}/members/add/", "post", manager(422), inside)
        cell("meetings:member_pick", f"/meetings/bodies/{body}/members/pick/person/?person_q=1", "get",
             "login" if anonymous else 200 if manages else 404, inside)
        cell("meetings:member_end", f"/meetings/members/{member}/end/", "post", manager(302), inside,
             body={"until": timezone.localdate().isoformat()}, writes=manages)
        cell("meetings:agenda_add", f"/meetings/{scheduled}/agenda/", "post", manager(302), inside,
             body={"title": "新议题"}, writes=manages)
        cell("meetings:attendance", f"/meetings/{scheduled}/attendance/", "post", manager(302), inside,
             body={f"m{member}": "present"}, writes=manages)
        cell("meetings:meeting_cancel", f"/meetings/{scheduled}/cancel/", "post", manager(422), inside)  # no reason
        cell("meetings:minutes_write", f"/meetings/{meeting}/minutes/", "post", manager(422), inside,
             body={"text": "改写"})  # approved minutes are not edited in place
        cell("meetings:minutes_revise", f"/meetings/{meeting}/minutes/revise/", "post", manager(422), inside)
        cell("meetings:minutes_approve", f"/meetings/minutes/{minutes}/approve/", "post", manager(422), inside)
        cell("meetings:minutes_publish", f"/meetings/minutes/{minutes}/publish/", "post", manager(422), inside)
        cell("meetings:attachment_add", f"/meetings/minutes/{minutes}/attach/", "post", manager(422), inside)
        cell("meetings:resolution_propose", f"/meetings/{meeting}/resolutions/", "post", manager(302), inside,
             body={"title": "新动议", "vote_mode": "counts"}, writes=manages)
        cell("meetings:resolution_withdraw", f"/meetings/resolutions/{counted}/withdraw/", "post", manager(302),
             inside, writes=manages)
        cell("meetings:resolution_done", f"/meetings/resolutions/{adopted}/done/", "post", manager(422), inside)
        cell("meetings:need_link", f"/meetings/resolutions/{adopted}/link/", "post", manager(422), inside)
        cell("meetings:activity_create", f"/meetings/resolutions/{adopted}/activity/", "get", manager(200), inside)
    assert wrong == [], "\n".join(map(str, wrong))


# --- Meetings' API (meetings/api.py): every role × the councils' meetings inside and outside --------------------------
# Public, held meetings with published minutes are everyone's, a token or none (auth=None); a meeting that is not —
# private, or its minutes unpublished — is read only by the body's managers and members, anyone else answered 404 as
# for a missing one. Neither names a member in full nor shows a phone (meetings.selectors.meeting_public).

@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_meetings_api(world, meetings_world, db, client, role):
    from meetings.services import body_create, meeting_schedule

    headers = api_client(client, world, role)
    wrong = []

    def check(operation, got, expected, *cell):
        if got.status_code != expected:
            wrong.append((operation, *cell, expected, got.status_code, got.content.decode()[:200]))
        CELLS["api"] += 1
        return got.status_code == expected

    for inside, m in meetings_world.items():
        sees = allowed("manage_meetings", role, inside) or (inside and role.key in MEETING_MEMBERS)
        names = set(m["body"].members.values_list("person__name", flat=True)) - {None}
        with rolled_back():
            private = meeting_schedule(actor=world["users"]["superuser"], body=m["body"], title="不公开的会议",
                                       starts_at=timezone.now(), is_public=False)
            listed = client.get("/api/v1/meetings", {"limit": 200}, headers=headers)
            if check("meetings_api_meeting_list", listed, 200, inside):
                ids = {item["id"] for item in listed.json()["items"]}
                if m["meeting"].pk not in ids or (private.pk in ids) != sees:
                    wrong.append(("meetings_api_meeting_list", inside, "private listed" if private.pk in ids
                                  else "private missing" if sees else "public missing"))
            for meeting, expected in ((m["meeting"], 200), (private, 200 if sees else 404)):
                got = client.get(f"/api/v1/meetings/{meeting.pk}", headers=headers)
                if check("meetings_api_meeting_detail", got, expected, inside, meeting.is_public) and any(
                        name in got.content.decode() for name in names):
                    wrong.append(("meetings_api_meeting_detail", inside, "a member named"))
        # The bodies: one with a published meeting is everyone's; one that has not met yet, its managers'.
        with rolled_back():
            quiet = body_create(actor=world["users"]["superuser"], kind="council", place=m["body"].place,
                                name="矩阵新议事会")
            got = client.get("/api/v1/meetings/bodies", {"limit": 200}, headers=headers)
            if check("meetings_api_body_list", got, 200, inside):
                ids = {item["id"] for item in got.json()["items"]}
                if m["body"].pk not in ids or (quiet.pk in ids) != allowed("manage_meetings", role, inside):
                    wrong.append(("meetings_api_body_list", inside, m["body"].pk in ids, quiet.pk in ids))
    check("meetings_api_meeting_detail", client.get("/api/v1/meetings/999999999", headers=headers), 404)
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_webhooks_api(world, db, client, role, settings):
    """Webhook subscriptions and their deliveries: the superuser's alone (403 to every other role, 401 without a
    token), the secret answered once on creation."""
    from interop.models import WebhookDelivery
    from interop.services import webhook_subscription_create

    settings.WEBHOOKS_ALLOW_PRIVATE = True  # no name to resolve in the test
    headers = api_client(client, world, role)
    expected = 401 if role.key == "anonymous" else 200 if role.key == "superuser" else 403
    wrong = []

    def check(operation, got, status):
        if got.status_code != status:
            wrong.append((operation, status, got.status_code, got.content.decode()[:200]))
        CELLS["api"] += 1

    with rolled_back():
        subscription, _secret = webhook_subscription_create(actor=world["users"]["superuser"],
                                                            url="http://127.0.0.1:9/hook",
                                                            event_types=["need.claimed"])
        delivery = WebhookDelivery.objects.create(subscription=subscription, message_id="msg_matrix",
                                                  event_type="need.claimed", payload={}, status="failed",
                                                  created_at=timezone.now())
        check("interop_api_subscription_list", client.get("/api/v1/webhooks", headers=headers), expected)
        check("interop_api_delivery_list", client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries",
                                                      headers=headers), expected)
        check("interop_api_delivery_replay", client.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay",
                                                         headers=headers), expected)
        check("interop_api_subscription_disable", client.post(f"/api/v1/webhooks/{subscription.pk}/disable",
                                                              headers=headers), expected)
        created = client.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/other", "event_types": ["need.closed"]},
                              content_type="application/json", headers=headers)
        check("interop_api_subscription_create", created, 201 if expected == 200 else expected)
    assert wrong == [], "\n".join(map(str, wrong))
