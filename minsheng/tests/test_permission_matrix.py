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
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Event
from needs import permissions, workflow
from needs.models import Category, Need, Notification, ProgressNote
from needs.services import need_act, need_submit
from people import scopes
from people.models import Organisation, Person, Role
from people.services import organisation_create, person_create
from places.models import Place
from places.services import place_create
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
    R("superuser", "admin"),
    R("anonymous", None),
]
BY_KEY = {r.key: r for r in ROLES}
PLACE_ROLE_KEYS = {"subdistrict": "staff_subdistrict", "community": "staff_community", "grid": "grid_worker"}
UNIT_KEYS = ("unit", "department")

# What each role may do inside its scope (docs/product.md, "Who uses it"); outside it, only a superuser.
CAN = {
    "change_place": {"subdistrict", "community"},  # places, their sites, coverage (grid workers record, not manage)
    "view_person": {"subdistrict", "community", "grid", "unit", "department", "member", "resident"},
    "view_person_full": {"subdistrict", "community", "grid", "unit", "department", "member", "resident"},
    "change_person": {"subdistrict", "community", "grid", "unit", "department"},
    "member_report": {"subdistrict", "community", "grid", "unit", "department"},  # staff record dual reporting
    "change_organisation": {"subdistrict", "community", "unit", "department"},
    "staff_ledger": {"subdistrict", "community", "grid"},  # the dashboard, big screen and records of an area
    "worklist": {"subdistrict", "community", "grid"},  # the area's queues ("all needs of my area")
    "callbacks": {"community", "grid"},  # the call-back list (回访)
}


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
    return (Need.objects.filter(pk=need.pk).values().get(), Event.objects.count(), Notification.objects.count(),
            ProgressNote.objects.count(), sorted(need.collaborators.values_list("pk", flat=True)))


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
    """One state per action on pages (the page's own checks do not depend on the state), public and private."""
    seen = set()
    for action, state, public in action_cases():
        if (action, public) not in seen:
            seen.add((action, public))
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


@pytest.fixture(scope="module", autouse=True)
def cell_count():
    yield
    print(f"\npermission matrix: {sum(CELLS.values())} cells", dict(CELLS))
