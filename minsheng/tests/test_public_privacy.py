"""Personal data is never public (SPEC §10), tested on the demo: an anonymous visitor walks every public URL
and every download, and reads no person's name, phone or room in any of them.

What the walk reads:

- `PUBLIC_SURFACES`: every route anyone may open without signing in, each with the demo's URLs of it (every
  need, every place of the ledger and each kind of period, every download …). `NOT_PUBLIC`: every other
  route, with the URLs it is tried at; a visitor must be sent to sign in (or get 401/403/404/405), and what
  it answers is scanned too. `test_every_route_is_listed` fails on a route in neither list: a new public
  surface (Open311, a webhook's public page, a sitemap …) is added to PUBLIC_SURFACES with its URLs.
- the links of what it reads (href, src, hx-get, a form's action) within the site, so a page that only a
  link leads to is read as well; bounded by MAX_DOCUMENTS, and the ledger's period picker followed once per
  place and kind of period.

What it looks for, in each response (HTML, JSON decoded, CSV, the XML parts of an .xlsx, a PDF's text by
pypdf, an image's bytes): `Needles` — every full name on record (people, contact names left on needs,
accounts' first and last names), every phone on record (people, contacts, organisations; as stored, digits
only and with separators), and every room on record as a room is written (502室, 502号, 3单元502, the
person's entrance and room). Masked forms (张*, 138****5678, 某某, 某楼某单元) are no hit.
"""

import datetime
import functools
import html
import io
import json
import re
import urllib.parse
import zipfile
from collections import deque
from dataclasses import dataclass, field

import pypdf
import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.models import Checkpoint
from ledger import periods
from ledger import views as ledger_views
from ledger.rollups import SCOPE_KINDS
from mediation import services as mediation
from mediation.api import API_ACTIONS as DISPUTE_ACTIONS
from mediation.models import BuildingPair, Dispute, Party
from meetings import services as meetings
from meetings.models import Attachment, Body, Meeting, Member, Minutes, Resolution
from needs import workflow
from needs.models import Category, Need, Photo
from needs.services import need_act
from offers.api import API_ACTIONS as BOOKING_ACTIONS
from offers.models import Booking, Offer, Session
from people.models import (
    CommitteeMember,
    Honour,
    Organisation,
    PartyMembership,
    PartyOrganisation,
    Person,
    Role,
    RoleAssignment,
    Team,
)
from places.models import Place
from sites.models import Item, Loan, Site
from sites.services import item_create, loan_create, site_update, stock_give_out
from volunteering.models import Activity, Certificate, ServiceHours, Signup
from volunteering.selectors import certificate_verify

MAX_DOCUMENTS = 5000  # the walk's bound; the demo needs about a third of it (the test fails if it is reached)
LEDGER_DOWNLOADS = ("ledger:xlsx", "ledger:csv", "ledger:deeds_csv")
API_ACTIONS = [name for name, record in workflow.ACTIONS.items() if name != "submit" and not record.system_only]


# --- What to look for -----------------------------------------------------------------------------

CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
# A run of digits with single spaces or hyphens inside (138 1234 5678, 0931-8123456), not inside a longer number.
DIGIT_RUN = re.compile(r"(?<![\d.])\+?\d(?:[ \-]?\d)+(?![\d])")
# A room as it is written: 502室, 502号, 2单元502, 3号楼502, 3-2-502 (building, entrance, room).
ROOM_WRITTEN = re.compile(r"(?<!\d)(\d{3,4})\s*(?:室|号(?![楼院]))|(?:单元|楼)\s*(\d{3,4})(?![\d号楼])"
                          r"|(?<![\d-])\d{1,2}-\d{1,2}-(\d{3,4})(?![\d-])")


@dataclass
class Needles:
    """What no public document may contain, from the database."""

    names: set[str]
    latin_names: set[str]
    phones: set[str]  # digits only
    rooms: set[str]
    public_words: list[str] = field(default_factory=list)  # public names a personal name is part of

    @functools.cached_property
    def lengths(self) -> set[int]:
        return {len(n) for n in self.names}

    @classmethod
    def from_database(cls) -> "Needles":
        people = list(Person.objects.values_list("name", "phone", "room"))
        names = {n.strip() for n, *_ in people} | set(Need.objects.exclude(contact_name="")
                                                     .values_list("contact_name", flat=True))
        for first, last in User.objects.values_list("first_name", "last_name"):
            names |= {f"{last}{first}", f"{first} {last}", f"{last} {first}"} if first and last else {first, last}
        parties = list(Party.objects.values_list("name", "phone"))  # a dispute's parties described by name
        names |= {n.strip() for n, _p in parties if n}
        phones = {p for _n, p, _r in people} | set(Need.objects.values_list("contact_phone", flat=True)) | set(
            Organisation.objects.values_list("contact_phone", flat=True)) | {p for _n, p in parties}
        latin = {n for n in names if n and not CJK_RUN.fullmatch(n)}
        needles = cls(
            names={n for n in names - latin if len(n) >= 2},
            latin_names={n for n in latin if len(n) >= 2},
            phones={re.sub(r"\D", "", p) for p in phones if p},
            rooms={r for *_x, r in people if r})
        needles.public_words = needles.words_naming_no_one(public_names())
        return needles

    def words_naming_no_one(self, words) -> list[str]:
        """The public names (of places, organisations, sites …) that hold a personal name or a room: an
        occurrence inside one of them is the public name, not the person (e.g. a person named 嘉园 and the
        community 天庆嘉园社区). The longest first, so that the longer name is taken out whole."""
        found = {w for w in words if self.scan_text(w, words=False)}
        return sorted(found, key=len, reverse=True)

    def scan_text(self, text: str, *, words=True, squeeze=False) -> list[tuple[str, str]]:
        """The hits in one text: (kind, what was found)."""
        if words:
            for word in self.public_words:
                if word in text:
                    text = text.replace(word, "\x00")
        hits = []
        cjk = "".join(text.split()) if squeeze else text  # a PDF's text has spaces between glyphs
        for run in CJK_RUN.findall(cjk):
            for n in self.lengths:
                hits += [("name", name) for name in {run[i:i + n] for i in range(len(run) - n + 1)} & self.names]
        hits += [("name", n) for n in self.latin_names if re.search(rf"\b{re.escape(n)}\b", text)]
        for run in DIGIT_RUN.findall(text):
            groups = re.findall(r"\d+", run)  # each number the run's groups make, whole groups only
            for i in range(len(groups)):
                digits = ""
                for group in groups[i:]:
                    digits += group
                    if len(digits) > 13:
                        break
                    if (digits[2:] if len(digits) == 13 and digits.startswith("86") else digits) in self.phones:
                        hits.append(("phone", digits[-11:]))
        hits += [("room", m[0]) for m in ROOM_WRITTEN.finditer(text) if next(r for r in m.groups() if r) in self.rooms]
        return hits


def public_names() -> set[str]:
    """Names of things that are public in their own right: places, organisations, their party organisations,
    sites, teams, categories, honours and the bodies awarding them, what a committee seat represents."""
    words = set()
    for model, fields in ((Place, ["name"]), (Organisation, ["name"]), (PartyOrganisation, ["name"]),
                          (Site, ["name"]), (Team, ["name"]), (Category, ["name"]),
                          (Honour, ["title", "awarded_by"]), (CommitteeMember, ["represents"])):
        for row in model.objects.values_list(*fields):
            words |= {w for w in row if w}
    return words


# --- Reading a response ---------------------------------------------------------------------------

def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def readable(response) -> tuple[str, bool]:
    """What a response says, as text, and whether its text needs squeezing (a PDF's)."""
    data, kind = body(response), response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        reader = pypdf.PdfReader(io.BytesIO(data))
        meta = " ".join(str(v) for v in (reader.metadata or {}).values())
        return "\n".join(page.extract_text() for page in reader.pages) + meta, True
    if kind.startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(html.unescape(book.read(n).decode()) for n in book.namelist()), False
    if kind.startswith("application/json"):
        return json.dumps(json.loads(data), ensure_ascii=False), False
    return data.decode("utf-8", "replace"), False


LINK = re.compile(r"""(?:href|src|hx-get|action)\s*=\s*["']([^"']*)["']""")
NOT_FOLLOWED = ("/static/", "/i18n/", "/logout/", "/admin/")


def links(page_url: str, text: str) -> list[str]:
    found = []
    for raw in LINK.findall(text):
        url = urllib.parse.urljoin(page_url, html.unescape(raw)).split("#")[0]
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("", "http") and parts.netloc in ("", "testserver") and parts.path.startswith("/") \
                and not parts.path.startswith(NOT_FOLLOWED):
            found.append(urllib.parse.urlunsplit(("", "", parts.path, parts.query, "")))
    return found


IDENTITY = ("tab", "before", "page")  # what tells one page of a list from the next; other parameters filter it
LEDGER_PATH = re.compile(r"^/ledger/(\d+)/")
LEDGER_DOWNLOAD_PATH = re.compile(r"^/ledger/\d+/[^?]+")


def period_kind(query: dict) -> str:
    token = query.get("period", [""])[0]
    if ".." in token or "from" in query:
        return "custom"
    return "quarter" if "-Q" in token else "month" if "-" in token else "year" if token else ""


def shape(url: str) -> str:
    """What a link the walk finds is the same page as another by: its path, which page of a list it is, the names
    (not the values) of its filters; for a ledger, the kind of its place (a code's length) and of its period.
    The URLs of PUBLIC_SURFACES are each read; a link found in a page is read when no page of its shape was."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    kept = [(k, query[k][0]) for k in IDENTITY if k in query]
    filters = sorted(query.keys() - {*IDENTITY, "period", "from", "to"})
    path = LEDGER_PATH.sub(lambda m: f"/ledger/{len(m[1])}/", parts.path)
    return f"{path}?{urllib.parse.urlencode(kept)}&{period_kind(query)}&{','.join(filters)}"


# --- The surfaces ---------------------------------------------------------------------------------

@dataclass
class Demo:
    """What the URLs of the walk are made from."""

    needs: list
    scopes: list
    communities: list
    grids: list


def _board(demo):
    """Each tab (its pages are followed) and each community's; each grid and category once."""
    for tab in workflow.BOARD_TABS:
        yield f"/needs/?tab={tab}"
        yield from (f"/needs/?tab={tab}&community={c.code}" for c in demo.communities)
    yield from (f"/needs/?tab=done&community={g.code[:12]}&grid={g.code}" for g in demo.grids)
    yield from (f"/needs/?tab=working&category={pk}" for pk in Category.objects.values_list("pk", flat=True))


def _board_map(demo):
    for tab in workflow.BOARD_TABS:
        yield f"/needs/map/?tab={tab}"
        for community in demo.communities:
            yield f"/needs/map/?tab={tab}&community={community.code}"


def _duplicates(demo):
    for need in demo.needs:
        yield "/needs/duplicates/?" + urllib.parse.urlencode(
            {"place": need.place.code, "title": need.title, "description": need.description})


def _periods(place) -> list[dict]:
    """Every place: its default period (the latest year it found needs in) and the demo's year, when all its
    deeds were done; the subdistrict also a quarter, a month and a range of days. (The pages link the quarters
    and months of every place: the walk follows them once per kind of place.)"""
    periods = [{}, {"period": "2021"}]
    if place.kind == "subdistrict":
        periods += [{"period": "2021-Q2"}, {"period": "2021-06"}, {"from": "2021-03-01", "to": "2021-08-31"}]
    return periods


def _query(params: dict) -> str:
    return f"?{urllib.parse.urlencode(params)}" if params else ""


def _ledger(name):
    def urls(demo):
        for place in demo.scopes:
            yield from (reverse(name, args=[place.code]) + _query(p) for p in _periods(place))
    return urls


def _ledger_pdf(demo):
    """A PDF takes up to a second to draw: the subdistrict's for its default period and the demo's year, and a
    community's and a grid's for the year. It prints what the page, the Excel and the CSV downloads hold (the
    same sections and deeds: ledger.sections.ledger_build, ledger.exports.deed_rows), read for every place."""
    subdistrict = next(p for p in demo.scopes if p.kind == "subdistrict")
    for place, kinds in ((subdistrict, [{}, {"period": "2021"}]), (demo.communities[0], [{"period": "2021"}]),
                         (demo.grids[0], [{"period": "2021"}])):
        yield from (reverse("ledger:pdf", args=[place.code]) + _query(p) for p in kinds)


def _open_data(demo):
    for place in demo.scopes:
        for p in _periods(place):
            period = periods.period_from_request(p, functools.partial(ledger_views.default_period, place))
            yield "/api/v1/ledger" + _query({"place": place.code, **period.query(), "deeds_limit": 1000})


def _pickers(demo):
    from needs import forms as _needs_forms  # noqa: F401  (they register the place pickers)
    from people import forms as _people_forms  # noqa: F401
    from places.forms import PLACE_PICKERS

    for picker in PLACE_PICKERS:
        for q in ("天庆", "tqjy", "1号楼", "A区"):
            yield f"/places/pick/{picker}/?name=place&place_q={urllib.parse.quote(q)}"


def _photos(demo):
    for photo in Photo.objects.all():
        yield photo.image.url
        yield photo.thumbnail.url


def _place_posters(demo):
    compound = Place.objects.filter(kind="compound").order_by("code").first()
    yield from (f"/places/{p.code}/poster.pdf" for p in (demo.communities[0], demo.grids[0], compound))
    yield from (f"/places/{code}/poster.pdf?size=a5" for code in compound.children.values_list("code", flat=True))


def _open311(paths):
    """Open311's URLs of these paths, in both formats."""
    return lambda demo: [f"/open311/v2/{path}.{fmt}" for path in paths(demo) for fmt in ("xml", "json")]


# Every route a visitor may open, and the URLs of the demo it is read at.
PUBLIC_SURFACES = {
    "home": lambda demo: ["/"],
    "login": lambda demo: ["/login/", "/login/?next=/needs/", "/admin/login/"],
    "needs:board": _board,
    "needs:board_map": _board_map,
    "needs:submit": lambda demo: ["/needs/submit/", *(f"/needs/submit/?place={g.code}" for g in demo.grids)],
    "needs:duplicates": _duplicates,
    "needs:detail": lambda demo: [f"/needs/{n.pk}/" for n in demo.needs],
    "needs:track": lambda demo: ["/needs/track/", "/needs/track/?reference=ZZZZ-ZZZZ"],
    "needs:track_detail": lambda demo: [f"/needs/track/{n.reference}/" for n in demo.needs],
    # A need's proof for a resident (core.proofs): a public need's page and JSON, 404 for the others; the checker.
    "needs:proof": lambda demo: [f"/needs/{n.pk}/proof/" for n in demo.needs],
    "needs:proof_json": lambda demo: [f"/needs/{n.pk}/proof.json" for n in demo.needs],
    "needs:proof_script": lambda demo: ["/needs/check-proof.py"],
    "need_photo": _photos,
    "places:pick": _pickers,
    "ledger:index": lambda demo: ["/ledger/"],
    "ledger:public": _ledger("ledger:public"),
    **{name: _ledger(name) for name in LEDGER_DOWNLOADS},
    "ledger:pdf": _ledger_pdf,
    "api:ledger": _open_data,
    "api:openapi-json": lambda demo: ["/api/v1/openapi.json"],
    "api:openapi-view": lambda demo: ["/api/v1/docs"],
    "sites:list": lambda demo: ["/sites/", *(f"/sites/?kind={k}" for k in Site.objects.values_list(
        "kind", flat=True).distinct()), "/sites/?q=%E9%A9%BF%E7%AB%99"],
    "sites:detail": lambda demo: [f"/sites/{pk}/" for pk in Site.objects.values_list("pk", flat=True)],
    "public_media": lambda demo: [s.photo.url for s in Site.objects.exclude(photo="")],
    # QR posters (places.posters): a PDF takes a tenth of a second, so a community's, a grid's and each building
    # of one compound's, and every site's; the short addresses they print, of every place and site.
    "places:poster": _place_posters,
    "sites:poster": lambda demo: [f"/sites/{pk}/poster.pdf" for pk in Site.objects.values_list("pk", flat=True)],
    "place_short": lambda demo: [f"/p/{c}" for c in Place.objects.values_list("code", flat=True)],
    "site_short": lambda demo: [f"/s/{pk}" for pk in Site.objects.values_list("pk", flat=True)],
    # The stations in the API: the list and each station with what is available now (no borrower named).
    "api:station_list": lambda demo: ["/api/v1/stations", "/api/v1/stations?q=yz",
                                      *(f"/api/v1/stations?community={c.code}" for c in demo.communities)],
    "api:station_detail": lambda demo: [f"/api/v1/stations/{pk}" for pk in Site.objects.filter(
        kind="station").values_list("pk", flat=True)],
    # The categories a need's `category` takes: the whole tree, a level of it, and each one.
    "api:category_list": lambda demo: ["/api/v1/categories", *(f"/api/v1/categories?parent={pk}" for pk in
                                                               Category.objects.values_list("pk", flat=True)[:5])],
    "api:category_detail": lambda demo: [f"/api/v1/categories/{pk}" for pk in Category.objects.values_list(
        "pk", flat=True)],
    # The offers list (实事清单) and each published offer's page (its weeks of sessions are followed as links).
    "offers:list": lambda demo: ["/offers/", "/offers/?kind=transport", "/offers/?q=jiesong",
                                 *(f"/offers/?community={c.code}" for c in demo.communities)],
    "offers:detail": lambda demo: [f"/offers/{pk}/" for pk in Offer.objects.values_list("pk", flat=True)],
    # The same in the API: every page of the list, each offer with its sessions (a member providing one masked).
    "api:offer_list": lambda demo: ["/api/v1/offers?limit=200", "/api/v1/offers?q=js", "/api/v1/offers?kind=clinic",
                                    *(f"/api/v1/offers?community={c.code}&limit=200" for c in demo.communities)],
    "api:offer_detail": lambda demo: [f"/api/v1/offers/{pk}" for pk in Offer.objects.values_list("pk", flat=True)],
    "api:offer_sessions": lambda demo: [f"/api/v1/offers/{pk}/sessions?limit=200" for pk in Offer.objects.values_list(
        "pk", flat=True)],
    # Volunteer activities in the API: the upcoming list and each published activity (no volunteer named).
    "api:activity_list": lambda demo: ["/api/v1/activities?limit=200", "/api/v1/activities?q=qingjie",
                                       "/api/v1/activities?kind=clean_up",
                                       *(f"/api/v1/activities?place={c.code}&limit=200" for c in demo.communities)],
    "api:activity_detail": lambda demo: [f"/api/v1/activities/{pk}" for pk in Activity.objects.filter(
        is_published=True).order_by("-starts_at").values_list("pk", flat=True)[:30]],
    # Volunteer activities (volunteering.views): the upcoming list with its filters, the activities' pages (their
    # organiser is a team or a unit; no volunteer is named on them, name_public or not), and the verification of
    # every certificate, a forged number's "not found" and the form. A certificate's page shows the name it was
    # issued to (SPEC §5: what was printed, nothing more personal): the walk lets that name, on that page, pass
    # (Walk.read, certificate_names); any other name, a phone or a room there is still a hit.
    "volunteering:list": lambda demo: ["/volunteering/", "/volunteering/?kind=clean_up", "/volunteering/?q=qingjie",
                                       *(f"/volunteering/?community={c.code}" for c in demo.communities)],
    "volunteering:detail": lambda demo: [f"/volunteering/{pk}/" for pk in Activity.objects.order_by(
        "-starts_at").values_list("pk", flat=True)[:30]],
    "volunteering:verify": lambda demo: [*(f"/volunteering/verify/{n}/" for n in Certificate.objects.values_list(
        "number", flat=True)), "/volunteering/verify/ZYZM-2021-000001-AAAA/"],
    "volunteering:verify_form": lambda demo: ["/volunteering/verify/", "/volunteering/verify/?number=ZYZM-2021"],
    # Meetings (meetings.views): the published minutes and resolutions of public meetings, by community, year and
    # kind, each meeting's public page (members by what they represent and their unit or a masked name, the minutes
    # through people.public.public_text), and the attachments (a private one, or one of minutes not published, is
    # not found).
    "meetings:public": lambda demo: ["/meetings/public/", "/meetings/public/?year=2021", "/meetings/public/?kind=joint",
                                     *(f"/meetings/public/?community={c.code}" for c in demo.communities)],
    "meetings:public_detail": lambda demo: [f"/meetings/public/{pk}/" for pk in Meeting.objects.values_list(
        "pk", flat=True)],
    "meetings:attachment": lambda demo: [f"/meetings/attachments/{pk}/" for pk in Attachment.objects.values_list(
        "pk", flat=True)],
    "api:meeting_list": lambda demo: ["/api/v1/meetings?limit=200", "/api/v1/meetings?year=2021&kind=council",
                                      *(f"/api/v1/meetings?place={c.code}" for c in demo.communities)],
    "api:meeting_detail": lambda demo: [f"/api/v1/meetings/{pk}" for pk in Meeting.objects.values_list(
        "pk", flat=True)],
    # The bodies with a public meeting: their descriptions as the public reads them.
    "api:body_list": lambda demo: ["/api/v1/meetings/bodies?limit=200", "/api/v1/meetings/bodies?kind=council",
                                   *(f"/api/v1/meetings/bodies?place={c.code}" for c in demo.communities)],
    # Open311 GeoReport v2 (interop.open311): the services, every need as a request and by its token, the lists
    # (since 2000, the demo's year included), in both formats; a POST with a wrong key is read too.
    "open311:discovery": _open311(lambda demo: ["discovery"]),
    "open311:services": _open311(lambda demo: ["services"]),
    "open311:service": _open311(lambda demo: [f"services/{c}" for c in Category.objects.values_list("pk", flat=True)]),
    "open311:request": _open311(lambda demo: [f"requests/{n.pk}" for n in demo.needs]),
    "open311:token": _open311(lambda demo: [f"tokens/{n.reference}" for n in demo.needs]),
    "open311:requests": lambda demo: [*(f"/open311/v2/requests.{fmt}?start_date=2000-01-01T00:00:00Z&page_size={n}"
                                        for fmt in ("xml", "json") for n in (1000, 7)), "/open311/v2/requests.json",
                                      ("post", "/open311/v2/requests.json", {"api_key": "wrong", "service_code": "1"})],
    "open311:unknown": lambda demo: ["/open311/v2/requests.csv", "/open311/v2/nothing"],
    # Public, but only to be posted to: what they answer a visitor is read too.
    "set_language": lambda demo: [("post", "/i18n/setlang/", {"language": "zh-hans", "next": "/"})],
    "api:token_create": lambda demo: [("post", "/api/v1/auth/token", {"username": "jumin", "password": "wrong"})],
    "api:api-root": lambda demo: ["/api/v1/"],
    # The event log's signed checkpoints (core.views): the page, the latest and every numbered one, an unknown one.
    "checkpoints": lambda demo: ["/checkpoints/", "/checkpoints/?page=2"],
    "checkpoint_latest": lambda demo: ["/checkpoints/latest.json"],
    "checkpoint_json": lambda demo: [*(f"/checkpoints/{pk}.json" for pk in Checkpoint.objects.values_list(
        "pk", flat=True)), "/checkpoints/999999.json"],
}


def _pk(model):
    return lambda demo: model.objects.order_by("pk").values_list("pk", flat=True).first()


# Every other route, and the URLs a visitor is turned away from.
NOT_PUBLIC = {
    "logout": lambda demo: ["/logout/"],
    "search": lambda demo: ["/search/?q=%E7%8E%8B", "/search/?q=13912345678"],
    "places:tree": lambda demo: ["/places/"],
    "places:detail": lambda demo: [f"/places/{c}/" for c in Place.objects.values_list("code", flat=True)],
    "places:place_create": lambda demo: [f"/places/{demo.communities[0].code}/add/"],
    "places:place_update": lambda demo: [f"/places/{demo.communities[0].code}/edit/"],
    "people:organisations": lambda demo: ["/people/organisations/"],
    "people:organisation_create": lambda demo: ["/people/organisations/add/"],
    "people:organisation": lambda demo: [f"/people/organisations/{pk}/" for pk in
                                         Organisation.objects.values_list("pk", flat=True)],
    "people:organisation_update": lambda demo: [f"/people/organisations/{_pk(Organisation)(demo)}/edit/"],
    "people:members": lambda demo: ["/people/members/"],
    "people:residents": lambda demo: ["/people/residents/"],
    "people:person_create": lambda demo: ["/people/add/"],
    "people:person": lambda demo: [f"/people/{pk}/" for pk in Person.objects.values_list("pk", flat=True)],
    "people:person_update": lambda demo: [f"/people/{_pk(Person)(demo)}/edit/"],
    "people:member_report": lambda demo: [f"/people/memberships/{_pk(PartyMembership)(demo)}/report/"],
    "people:member_place": lambda demo: ["/people/reports/1/place/"],
    "people:coverage_create": lambda demo: [f"/people/coverage/{demo.grids[0].code}/add/"],
    "people:api_tokens": lambda demo: ["/people/tokens/"],
    "people:api_token_revoke": lambda demo: [("post", "/people/tokens/1/revoke/", {})],
    "sites:site_create": lambda demo: ["/sites/add/"],
    "sites:site_update": lambda demo: [f"/sites/{_pk(Site)(demo)}/edit/"],
    # A station's desk (its operator's): the loans with the borrowers' names, the forms, a loan's return and loss.
    **{name: (lambda t: lambda demo: [f"/sites/{pk}/desk/{t}" for pk in Site.objects.filter(
        kind="station").values_list("pk", flat=True)])(tail)
       for name, tail in (("sites:desk", ""), ("sites:history", "history/?show=loans"), ("sites:stock", "stock/"),
                          ("sites:lend", "lend/"),
                          ("sites:borrower_pick", "lend/pick/?name=person&person_q=1"),
                          ("sites:item_create", "items/add/"))},
    "sites:item_update": lambda demo: [f"/sites/items/{pk}/edit/" for pk in Item.objects.values_list("pk", flat=True)],
    "sites:loan_return": lambda demo: [("post", f"/sites/loans/{pk}/return/", {}) for pk in Loan.objects.values_list(
        "pk", flat=True)[:20]],
    "sites:loan_lost": lambda demo: [f"/sites/loans/{pk}/lost/" for pk in Loan.objects.values_list(
        "pk", flat=True)[:20]],
    "places:posters": lambda demo: [f"/places/{demo.communities[0].code}/posters.pdf"],  # the staff's batch
    "needs:mine": lambda demo: ["/needs/mine/"],
    "needs:triage": lambda demo: ["/needs/triage/"],
    "inbox": lambda demo: ["/needs/inbox/"],
    "inbox_read": lambda demo: [("post", "/needs/inbox/read/", {})],
    "inbox_open": lambda demo: [("post", "/needs/inbox/1/open/", {})],
    "needs:bulk": lambda demo: [("post", "/needs/triage/bulk/", {})],
    "needs:act": lambda demo: [("post", f"/needs/{n.pk}/act/accept/", {}) for n in demo.needs[:3]],
    "needs:text_check": lambda demo: [("post", f"/needs/{demo.needs[0].pk}/check-text/", {"note": "x"})],
    "needs:pick": lambda demo: [f"/needs/{n.pk}/pick/dispatch/holder/?name=dispatch-holder&dispatch-holder_q=1"
                                for n in demo.needs],
    "needs:callbacks": lambda demo: ["/needs/callbacks/"],
    "needs:callback_reveal": lambda demo: [("post", f"/needs/callbacks/{n.pk}/call/", {}) for n in demo.needs],
    "needs:callback_record": lambda demo: [("post", f"/needs/callbacks/{demo.needs[0].pk}/grade/", {})],
    "offers:book": lambda demo: [f"/offers/sessions/{pk}/book/" for pk in Session.objects.values_list(
        "pk", flat=True)[:20]],
    "offers:book_pick": lambda demo: [f"/offers/sessions/{_pk(Session)(demo)}/book/pick/?name=person&person_q=1"],
    "offers:booking": lambda demo: [f"/offers/bookings/{pk}/" for pk in Booking.objects.values_list(
        "pk", flat=True)[:20]],
    "offers:booking_act": lambda demo: [("post", f"/offers/bookings/{_pk(Booking)(demo)}/act/cancel/", {})],
    "offers:booking_contact": lambda demo: [("post", f"/offers/bookings/{_pk(Booking)(demo)}/contact/", {})],
    "offers:mine": lambda demo: ["/offers/mine/"],
    "offers:provider": lambda demo: ["/offers/provider/", "/offers/provider/?day=tomorrow"],
    "offers:manage": lambda demo: ["/offers/manage/"],
    "offers:offer_create": lambda demo: ["/offers/manage/new/"],
    "offers:provider_pick": lambda demo: ["/offers/manage/pick/?name=organisation&organisation_q=da"],
    "offers:offer_update": lambda demo: [f"/offers/{_pk(Offer)(demo)}/edit/"],
    "offers:sessions": lambda demo: [f"/offers/{_pk(Offer)(demo)}/sessions/"],
    "offers:session_create": lambda demo: [("post", f"/offers/{_pk(Offer)(demo)}/sessions/new/", {})],
    "offers:sessions_repeat": lambda demo: [("post", f"/offers/{_pk(Offer)(demo)}/sessions/repeat/", {})],
    "offers:session_cancel": lambda demo: [("post", f"/offers/sessions/{_pk(Session)(demo)}/cancel/", {})],
    "ledger:dashboard": lambda demo: ["/ledger/dashboard/"],
    "ledger:screen": lambda demo: ["/ledger/screen/"],
    "ledger:records": lambda demo: ["/ledger/records/?figure=members", "/ledger/records/?figure=found"],
    "rosters:index": lambda demo: ["/rosters/"],
    "rosters:template": lambda demo: ["/rosters/members/template.xlsx"],
    "rosters:export": lambda demo: ["/rosters/members/export.xlsx", "/rosters/residents/export.xlsx"],
    "rosters:upload": lambda demo: [("post", "/rosters/members/upload", {})],
    **{f"rosters:{name}": (lambda n: lambda demo: [
        f"/rosters/imports/00000000-0000-0000-0000-000000000000/{n}"])(tail)
       for name, tail in (("preview", ""), ("confirm", "confirm"), ("cancel", "cancel"),
                          ("error_report", "errors.xlsx"))},
    # SMS (interop.sms_views): a resident's own switch (sign in first); the gateway's reply callback (its token).
    "interop:sms": lambda demo: ["/interop/sms/", ("post", "/interop/sms/", {"sms": "stop"})],
    "interop:sms_reply": lambda demo: [("post", "/interop/sms/reply", {"phone": "13912345678", "text": "TD"})],
    "api:token_list": lambda demo: ["/api/v1/auth/tokens"],
    "api:token_revoke": lambda demo: [("delete", "/api/v1/auth/tokens/1", {})],
    "api:place_list": lambda demo: ["/api/v1/places?q=tqjy"],
    "api:place_detail": lambda demo: [f"/api/v1/places/{demo.grids[0].code}"],
    "api:place_children": lambda demo: [f"/api/v1/places/{demo.communities[0].code}/children"],
    "api:need_list": lambda demo: ["/api/v1/needs"],
    "api:station_loans": lambda demo: [f"/api/v1/stations/{pk}/loans" for pk in Site.objects.filter(
        kind="station").values_list("pk", flat=True)],
    "api:station_lend": lambda demo: [("post", f"/api/v1/stations/{_pk(Site)(demo)}/loans", {})],
    "api:station_operated": lambda demo: ["/api/v1/stations/operated"],
    "api:station_items": lambda demo: [f"/api/v1/stations/{_pk(Site)(demo)}/items"],
    "api:station_movements": lambda demo: [f"/api/v1/stations/{_pk(Site)(demo)}/stock"],
    "api:station_stock": lambda demo: [("post", f"/api/v1/stations/{_pk(Site)(demo)}/stock", {})],
    "api:loan_return_endpoint": lambda demo: [("post", f"/api/v1/loans/{pk}/return", {}) for pk in
                                              Loan.objects.values_list("pk", flat=True)[:20]],
    "api:loan_lost_endpoint": lambda demo: [("post", f"/api/v1/loans/{pk}/lost", {}) for pk in
                                            Loan.objects.values_list("pk", flat=True)[:20]],
    "api:need_create": lambda demo: [("post", "/api/v1/needs", {})],
    "api:need_detail": lambda demo: [f"/api/v1/needs/{n.pk}" for n in demo.needs],
    "api:need_action_unknown": lambda demo: [("post", f"/api/v1/needs/{demo.needs[0].pk}/actions/nothing", {})],
    **{f"api:need_{action}": (lambda a: lambda demo: [
        ("post", f"/api/v1/needs/{demo.needs[0].pk}/actions/{a}", {})])(action) for action in API_ACTIONS},
    # Bookings in the API: a token first.
    "api:booking_create": lambda demo: [("post", "/api/v1/bookings", {})],
    "api:booking_list": lambda demo: ["/api/v1/bookings"],
    "api:booking_detail": lambda demo: [f"/api/v1/bookings/{pk}" for pk in Booking.objects.values_list(
        "pk", flat=True)[:20]],
    "api:booking_action_unknown": lambda demo: [("post", f"/api/v1/bookings/{_pk(Booking)(demo)}/actions/x", {})],
    **{f"api:booking_{action}": (lambda a: lambda demo: [
        ("post", f"/api/v1/bookings/{_pk(Booking)(demo)}/actions/{a}", {})])(action) for action in BOOKING_ACTIONS},
    # Volunteering in the API: signing up, checking in and one's own record need a token.
    "api:activity_signup": lambda demo: [("post", f"/api/v1/activities/{_pk(Activity)(demo)}/signups", {})],
    "api:activity_checkin": lambda demo: [("post", f"/api/v1/activities/{_pk(Activity)(demo)}/checkin",
                                           {"code": "x"})],
    "api:volunteer_me": lambda demo: ["/api/v1/volunteers/me"],
    "api:volunteer_me_hours": lambda demo: ["/api/v1/volunteers/me/hours"],
    "api:activity_signup_cancel": lambda demo: [("post", f"/api/v1/activities/{_pk(Activity)(demo)}/signups/cancel",
                                                 {})],
    "api:activity_hours": lambda demo: [f"/api/v1/activities/{_pk(Activity)(demo)}/hours"],
    "api:activity_checkout": lambda demo: [("post", f"/api/v1/activities/{_pk(Activity)(demo)}/checkout", {})],
    "api:activity_hours_certify": lambda demo: [("post", f"/api/v1/activities/{_pk(Activity)(demo)}/hours/certify",
                                                 {})],
    # Volunteering's pages for a volunteer or an organiser: a visitor is sent to sign in (a check-in code's page
    # too: its code is the activity's, so a wrong one is not found).
    **{f"volunteering:{name}": (lambda t: lambda demo: [t.format(a=_pk(Activity)(demo))])(tail) for name, tail in (
        ("register", "/volunteering/register/"), ("checkin_code", "/volunteering/{a}/code/"),
        ("roster", "/volunteering/{a}/list/"), ("walk_in_pick", "/volunteering/{a}/list/walk-in/pick/?name=person"
                                                                "&person_q=wang"),
        ("mine", "/volunteering/me/"), ("export", "/volunteering/me/record.xlsx"),
        ("organise", "/volunteering/organise/"), ("activity_create", "/volunteering/organise/new/"),
        ("activity_update", "/volunteering/{a}/edit/"))},
    "volunteering:checkin": lambda demo: [f"/volunteering/{a.pk}/c/{a.checkin_code}/" for a in
                                          Activity.objects.order_by("-starts_at")[:3]] + ["/volunteering/1/c/x/"],
    "volunteering:certificate": lambda demo: [f"/volunteering/certificates/{pk}.pdf" for pk in
                                              Certificate.objects.values_list("pk", flat=True)],
    **{f"volunteering:{name}": (lambda t: lambda demo: [("post", t.format(
        a=_pk(Activity)(demo), s=_pk(Signup)(demo), h=_pk(ServiceHours)(demo)), {})])(tail) for name, tail in (
        ("signup", "/volunteering/{a}/signup/"), ("signup_cancel", "/volunteering/signups/{s}/cancel/"),
        ("checkin_do", "/volunteering/{a}/c/x/do/"), ("roster_tick", "/volunteering/{a}/list/tick/"),
        ("walk_in", "/volunteering/{a}/list/walk-in/"), ("hours_propose", "/volunteering/{a}/hours/propose/"),
        ("hours_certify", "/volunteering/{a}/hours/certify/"), ("hours_correct", "/volunteering/hours/{h}/correct/"),
        ("hours_query", "/volunteering/hours/{h}/query/"), ("certificate_request", "/volunteering/me/certificates/"),
        ("activity_cancel", "/volunteering/{a}/cancel/"))},
    # The meetings' pages for their members and managers: a visitor is sent to sign in.
    **{f"meetings:{name}": (lambda t: lambda demo: [t.format(
        b=_pk(Body)(demo), m=_pk(Meeting)(demo), r=_pk(Resolution)(demo), n=_pk(Minutes)(demo),
        e=_pk(Member)(demo))])(tail) for name, tail in (
        ("list", "/meetings/"), ("body_create", "/meetings/bodies/new/"), ("body", "/meetings/bodies/{b}/"),
        ("member_pick", "/meetings/bodies/{b}/members/pick/person/?name=person&person_q=wang"),
        ("meeting_create", "/meetings/bodies/{b}/schedule/"), ("meeting", "/meetings/{m}/"),
        ("meeting_update", "/meetings/{m}/edit/"), ("minutes_version", "/meetings/{m}/minutes/1/"),
        ("need_create", "/meetings/resolutions/{r}/need/"), ("activity_create", "/meetings/resolutions/{r}/activity/"),
        ("need_pick", "/meetings/resolutions/{r}/link/pick/?name=need&need_q=1"))},
    **{f"meetings:{name}": (lambda t: lambda demo: [("post", t.format(
        b=_pk(Body)(demo), m=_pk(Meeting)(demo), r=_pk(Resolution)(demo), n=_pk(Minutes)(demo),
        e=_pk(Member)(demo)), {})])(tail) for name, tail in (
        ("member_add", "/meetings/bodies/{b}/members/add/"), ("member_end", "/meetings/members/{e}/end/"),
        ("agenda_add", "/meetings/{m}/agenda/"), ("attendance", "/meetings/{m}/attendance/"),
        ("meeting_hold", "/meetings/{m}/hold/"), ("meeting_cancel", "/meetings/{m}/cancel/"),
        ("minutes_write", "/meetings/{m}/minutes/"), ("minutes_revise", "/meetings/{m}/minutes/revise/"),
        ("minutes_approve", "/meetings/minutes/{n}/approve/"), ("minutes_publish", "/meetings/minutes/{n}/publish/"),
        ("attachment_add", "/meetings/minutes/{n}/attach/"), ("resolution_propose", "/meetings/{m}/resolutions/"),
        ("resolution_decide", "/meetings/resolutions/{r}/decide/"), ("vote", "/meetings/resolutions/{r}/vote/"),
        ("resolution_withdraw", "/meetings/resolutions/{r}/withdraw/"),
        ("resolution_done", "/meetings/resolutions/{r}/done/"), ("need_link", "/meetings/resolutions/{r}/link/"))},
    # Mediation (mediation.views): every page is a case's mediators' and its area's staff's; nothing is public.
    **{f"mediation:{name}": (lambda t: lambda demo: [t.format(
        d=_pk(Dispute)(demo), p=_pk(Party)(demo), n=_pk(Need)(demo),
        b=BuildingPair.objects.values_list("building__code", flat=True).first() or demo.communities[0].code)])(tail)
        for name, tail in (
            ("list", "/mediation/"), ("receive", "/mediation/new/"),
            ("receive_pick", "/mediation/new/pick/?name=p1-person&p1-person_q=wang"),
            ("from_need", "/mediation/from-need/{n}/"), ("detail", "/mediation/{d}/"),
            ("agreement", "/mediation/{d}/agreement.pdf"), ("pick", "/mediation/{d}/pick/party/?name=party-person"),
            ("pair_set", "/mediation/pairs/{b}/"), ("pair_pick", "/mediation/pairs/{b}/pick/head/?name=pair-head"))},
    **{f"mediation:{name}": (lambda t: lambda demo: [("post", t.format(d=_pk(Dispute)(demo), p=_pk(Party)(demo)),
                                                       {})])(tail)
       for name, tail in (("act", "/mediation/{d}/act/assess/"), ("party_add", "/mediation/{d}/parties/"),
                          ("party_phone", "/mediation/{d}/parties/{p}/phone/"),
                          ("mediator_add", "/mediation/{d}/mediators/"))},
    # The disputes API (mediation.api): a token of a case's reader, else 401.
    "api:dispute_list": lambda demo: ["/api/v1/disputes"],
    "api:dispute_detail": lambda demo: [f"/api/v1/disputes/{_pk(Dispute)(demo)}"],
    "api:dispute_create": lambda demo: [("post", "/api/v1/disputes", {})],
    "api:dispute_action_unknown": lambda demo: [("post", f"/api/v1/disputes/{_pk(Dispute)(demo)}/actions/x", {})],
    **{f"api:dispute_{action}": (lambda a: lambda demo: [
        ("post", f"/api/v1/disputes/{_pk(Dispute)(demo)}/actions/{a}", {})])(action) for action in DISPUTE_ACTIONS},
    # Webhook subscriptions and their deliveries (interop.api): administrators only, else 401.
    "api:subscription_list": lambda demo: ["/api/v1/webhooks"],
    "api:subscription_create": lambda demo: [("post", "/api/v1/webhooks", {})],
    "api:subscription_disable": lambda demo: [("post", "/api/v1/webhooks/1/disable", {})],
    "api:delivery_list": lambda demo: ["/api/v1/webhooks/1/deliveries"],
    "api:delivery_replay": lambda demo: [("post", "/api/v1/webhooks/deliveries/1/replay", {})],
    # The back office, every screen of it behind its own sign-in.
    "admin:*": lambda demo: ["/admin/", "/admin/people/person/", "/admin/needs/need/"],
}
TURNED_AWAY = {401, 403, 404, 405}


def route_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                names.add("admin:*")
            else:
                names |= route_names(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(namespace + p.name)
    return names


def test_every_route_is_listed():
    """A new route is either a public surface (walked and scanned below) or turned away from visitors."""
    names = route_names()
    assert sorted(names - PUBLIC_SURFACES.keys() - NOT_PUBLIC.keys()) == []
    assert sorted((PUBLIC_SURFACES.keys() | NOT_PUBLIC.keys()) - names) == []
    assert not PUBLIC_SURFACES.keys() & NOT_PUBLIC.keys()


# --- The walk -------------------------------------------------------------------------------------

VERIFY_PATH = re.compile(r"^/volunteering/verify/([^/?]+)/$")


def certificate_names(url: str) -> list[str]:
    """The name printed on the certificate whose verification page this is (none for any other URL)."""
    found = VERIFY_PATH.match(urllib.parse.urlsplit(url).path)
    certificate = certificate_verify(urllib.parse.unquote(found[1])) if found else None
    return [certificate.volunteer.person.name] if certificate is not None else []


@dataclass
class Walk:
    client: Client
    needles: Needles
    documents: int = 0
    hits: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # a NOT_PUBLIC route that let the visitor in
    seen: set = field(default_factory=set)
    texts: dict = field(default_factory=dict)  # url → text, for the planted checks

    def read(self, request, *, public: bool, found: bool):
        """Read one request; return the links of its page. A URL `found` in a page is read when no page of its
        shape was; the downloads of the ledger are read only as PUBLIC_SURFACES lists them."""
        method, url, data = request if isinstance(request, tuple) else ("get", request, None)
        key = f"{method} {url}"
        if key in self.seen or found and (shape(url) in self.seen or LEDGER_DOWNLOAD_PATH.match(url)):
            return []
        self.seen |= {key, shape(url)}
        response = getattr(self.client, method)(url, data)
        self.documents += 1
        text, squeeze = readable(response)
        for printed in certificate_names(url):  # a certificate's own page shows the name it was issued to
            text = text.replace(printed, "")
        self.hits += [(url, kind, what) for kind, what in self.needles.scan_text(text, squeeze=squeeze)]
        if not public and not (response.status_code in TURNED_AWAY or (
                response.status_code == 302 and "login/" in response["Location"])):
            self.refused.append((url, response.status_code))
        if not response.get("Content-Type", "").startswith("text/html"):
            return []
        if response.status_code == 200:
            self.texts[url] = text
        return links(url, text)

    def run(self, demo: Demo):
        queue = deque()
        for urls in PUBLIC_SURFACES.values():
            queue.extend((u, True, False) for u in urls(demo))
        for urls in NOT_PUBLIC.values():
            queue.extend((u, False, False) for u in urls(demo))
        while queue:
            assert self.documents < MAX_DOCUMENTS, "the walk reached its bound: raise MAX_DOCUMENTS"
            request, public, found = queue.popleft()
            # A link from a page a visitor reads is public: whatever it answers is scanned.
            queue.extend((url, True, True) for url in self.read(request, public=public, found=found))


@pytest.fixture
def demo(demo_db, db, settings):
    settings.NEEDS_TRACK_BURST = 10**6  # the walk opens every tracking page from one address
    return Demo(needs=list(Need.objects.select_related("place").order_by("pk")),
                scopes=list(Place.objects.filter(kind__in=SCOPE_KINDS).order_by("code")),
                communities=list(Place.objects.filter(kind="community").order_by("code")),
                grids=list(Place.objects.filter(kind="grid").order_by("code")))


def _account(role, **scope):
    return RoleAssignment.objects.filter(role=role, **scope).select_related("user").first().user


def plant(demo: Demo) -> dict:
    """Personal data typed into the texts that are published, through the services, by whoever types them there:

    - a resident reports a need in their grid, naming themself with their phone and room; the unit that claims
      it writes a progress note naming a neighbour (phone with spaces) and a member of the unit, a completion
      note with the neighbour's entrance and room and an evidence with the neighbour's phone (with hyphens);
      the resident's rating comment names the neighbour and gives the resident's phone;
    - a visitor leaves a neighbour's name and phone as their contact, and in the description;
    - the community's staff record a call from another neighbour: the title names the caller;
    - the staff of a site write a contact's name and phone into its description.

    Returns the needs and what was typed."""
    resident = Person.objects.filter(user__username="jumin").select_related("home").get()
    grid = next(p for p in [*resident.home.ancestors(), resident.home] if p.kind == "grid")
    neighbours = (Person.objects.filter(home__code__startswith=grid.code).exclude(pk=resident.pk)
                  .exclude(phone="").exclude(room="").select_related("home").order_by("pk"))
    neighbour, caller = neighbours[0], neighbours[1]
    staff = _account(Role.COMMUNITY_STAFF, place__code=grid.code[:12])
    unit = Organisation.objects.filter(role_assignments__role=Role.UNIT_ADMIN).order_by("pk").first()
    member = Person.objects.filter(memberships__party_organisation__organisation=unit).order_by("pk").first()
    unit_admin = _account(Role.UNIT_ADMIN, organisation=unit)
    unit_admin.first_name, unit_admin.last_name = "明月", "欧阳"  # an account's names are on record too
    unit_admin.save(update_fields=["first_name", "last_name"])
    category = Category.objects.order_by("pk").first()
    p = neighbour.phone
    typed = {
        "progress": f"已电话联系{neighbour.name}（{p[:3]} {p[3:7]} {p[7:]}），我单位党员{member.name}已上门",
        "resolve": f"已办结，{neighbour.name}和{resident.name}在场，{neighbour.home.name}{neighbour.room}室已修好",
        "evidence": f"{neighbour.name}签字确认，电话{p[:3]}-{p[3:7]}-{p[7:]}",
        "comment": f"感谢{neighbour.name}帮忙，有事打{resident.phone}",
        "contact": f"请联系{neighbour.name}，电话{p}",
        "call": f"{caller.name}来电反映单元门禁损坏",
        "site": f"联系人：{neighbour.name}，电话{p}",
    }
    need = need_act(actor=resident.user, need=None, action="submit", title=f"{resident.name}家楼道灯不亮",
                    place=grid, description=f"{resident.name}反映，电话{resident.phone}，住{resident.room}室")
    need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance")
    need_act(actor=staff, need=need, action="publish")
    need_act(actor=unit_admin, need=need, action="claim", organisation=unit)
    need_act(actor=unit_admin, need=need, action="start")
    need_act(actor=unit_admin, need=need, action="progress", note=typed["progress"])
    need_act(actor=unit_admin, need=need, action="resolve", note=typed["resolve"], evidence=typed["evidence"])
    need_act(actor=resident.user, need=need, action="rate", rating="very_satisfied", comment=typed["comment"])
    visitor_need = need_act(actor=AnonymousUser(), need=None, action="submit", title="小区门口井盖松动",
                            place=grid, description=typed["contact"], contact_name=neighbour.name,
                            contact_phone=neighbour.phone)
    recorded = need_act(actor=staff, need=None, action="submit", title=typed["call"], place=caller.home,
                        channel="walk_in", description=f"来电号码{caller.phone}")
    for n in (visitor_need, recorded):
        need_act(actor=staff, need=n, action="accept", category=category, concern_level="annoyance")
        need_act(actor=staff, need=n, action="publish")
    site = Site.objects.filter(place__code__startswith=grid.code[:12]).order_by("pk").first()
    site_update(actor=staff, site=site, description=typed["site"])
    # A station's operator lends to a passer-by by name and phone and to a resident on record, and gives out to a
    # named neighbour: private to the desk, never on the station's public page or in the API.
    station = Site.objects.filter(kind="station", place__code__startswith=grid.code[:12]).order_by("pk").first()
    umbrellas = item_create(actor=staff, site=station, kind="lendable", name="隐私测试雨伞", unit="把", units=3)
    plasters = item_create(actor=staff, site=station, kind="consumable", name="隐私测试创可贴", unit="片", stock=9)
    loan_create(actor=staff, item=umbrellas, borrower_name=neighbour.name, borrower_phone=neighbour.phone)
    loan_create(actor=staff, item=umbrellas, person=resident)
    stock_give_out(actor=staff, item=plasters, quantity=1, recipient=neighbour.name, person=resident)
    # The community's staff keep a resident council's meeting: the title, the guests, the minutes and a resolution
    # name the neighbour, the minutes give their phone and the resident's room; published, the resolution taking up
    # the resident's need (whose page links the meeting's).
    council = meetings.body_create(actor=staff, kind="council", name="隐私测试居民议事会", place=grid)
    for who in (resident, neighbour):
        meetings.member_add(actor=staff, body=council, person=who, since=datetime.date(2021, 1, 1))
    held = meetings.meeting_schedule(
        actor=staff, body=council, title=f"{neighbour.name}家门口议事", starts_at=timezone.now() - datetime.timedelta(
            hours=3), location=f"{neighbour.home.name}{neighbour.room}室", guests=f"{caller.name}列席",
        agenda=[f"{neighbour.name}反映的门禁问题"])
    meetings.attendance_record(actor=staff, meeting=held, presence={
        m: "present" for m in held.attendances.values_list("member_id", flat=True)})
    meetings.meeting_hold(actor=staff, meeting=held)
    typed["minutes"] = f"{neighbour.name}（电话{p}）主持，{resident.name}发言，{caller.name}列席，住{resident.room}室"
    minutes = meetings.minutes_write(actor=staff, meeting=held, text=typed["minutes"])
    meetings.minutes_approve(actor=staff, minutes=minutes)
    meetings.minutes_publish(actor=staff, minutes=minutes)
    resolution = meetings.resolution_propose(actor=staff, meeting=held, title=f"请{neighbour.name}协助修门禁")
    meetings.resolution_decide(actor=staff, resolution=resolution, votes_for=2, votes_against=0, votes_abstain=0)
    meetings.resolution_need_link(actor=staff, resolution=resolution, need=need)
    # A neighbour's 邻里纠纷 need, published and turned into a dispute by the staff: the parties a name and phone
    # typed in (not on record) and the neighbour; the records and the agreement name them, with the phone.
    dispute_need = need_act(actor=resident.user, need=None, action="submit", title="楼上漏水", place=resident.home)
    need_act(actor=staff, need=dispute_need, action="accept", concern_level="annoyance",
             category=Category.objects.get_or_create(name="邻里纠纷")[0])
    dispute_need = need_act(actor=staff, need=dispute_need, action="publish")
    dispute = mediation.dispute_from_need(actor=staff, need=dispute_need, kind="leak")
    mediation.party_add(actor=staff, dispute=dispute, role="respondent", name="隐私测试当事人",
                        phone="13711112222", address="9单元901")
    mediation.party_add(actor=staff, dispute=dispute, role="other", person=neighbour)
    mediation.dispute_assess(actor=staff, dispute=dispute, note=f"{neighbour.name}与隐私测试当事人，电话13711112222")
    mediation.dispute_mediate(actor=staff, dispute=dispute)
    mediation.dispute_agree(actor=staff, dispute=dispute, facts=f"{neighbour.name}家漏水", terms="隐私测试当事人维修",
                            performance="当面", perform_by=timezone.localdate(), signed_on=timezone.localdate())
    demo.needs += [need, visitor_need, recorded, dispute_need]
    return {"need": need, "visitor_need": visitor_need, "recorded": recorded, "site": site, "typed": typed,
            "neighbour": neighbour, "resident": resident, "meeting": held, "dispute_need": dispute_need,
            "dispute": dispute}


def test_an_anonymous_visitor_reads_no_personal_data(demo, capsys):
    planted = plant(demo)
    needles = Needles.from_database()
    walk = Walk(Client(), needles)
    walk.run(demo)
    with capsys.disabled():
        print(f"\npublic privacy: {walk.documents} documents scanned, {len(walk.hits)} hits")
    assert walk.hits == [], "\n".join(f"{url}: {kind} {what}" for url, kind, what in walk.hits[:200])
    assert walk.refused == []
    # What was planted is there, masked: the walk read it.
    phone = planted["neighbour"].phone
    masked_phone = f"{phone[:3]}****{phone[-4:]}"
    need, recorded, site = planted["need"], planted["recorded"], planted["site"]
    page = walk.texts[f"/needs/{need.pk}/"]
    for shown in ("已电话联系某某（", masked_phone, "我单位党员某某已上门", "某楼某单元", "某某签字确认",
                  "感谢某某帮忙"):
        assert shown in page
    assert "某某来电反映单元门禁损坏" in walk.texts["/needs/?tab=open"]
    assert "某某来电反映单元门禁损坏" in walk.texts[f"/needs/{recorded.pk}/"]
    assert f"联系人：某某，电话{masked_phone}" in walk.texts[f"/sites/{site.pk}/"]
    meeting = planted["meeting"]
    assert f"/meetings/public/{meeting.pk}/" in walk.texts[f"/needs/{need.pk}/"]  # the need links its meeting
    assert f"某某（电话{masked_phone}）主持" in walk.texts[f"/meetings/public/{meeting.pk}/"]
    # A need turned into a dispute says so, without a link or a word of the case.
    turned = walk.texts[f"/needs/{planted['dispute_need'].pk}/"]
    assert "已转人民调解" in turned and "/mediation/" not in turned
    # … and as typed for the need's staff, which the scan would have found.
    staff = Client()
    staff.force_login(_account(Role.COMMUNITY_STAFF, place__code=need.place.code[:12]))
    seen = {what for _kind, what in needles.scan_text(staff.get(f"/needs/{need.pk}/").content.decode())}
    assert {planted["neighbour"].name, phone} <= seen


def test_the_scan_finds_names_phones_and_rooms_but_not_their_masks():
    needles = Needles(names={"王芳", "欧阳明月", "嘉园"}, latin_names={"Li Lei"}, phones={"13912345678", "09318123456"},
                      rooms={"502"})
    needles.public_words = needles.words_naming_no_one({"天庆嘉园社区", "天庆嘉园A区", "兰州电影制片厂"})
    found = needles.scan_text("王芳 欧阳明月 Li Lei 139 1234 5678 139-1234-5678 +8613912345678 0931-8123456 "
                              "502室 1号楼2单元502 3号楼502 3-2-502 天庆嘉园第一网格")
    assert sorted(found) == sorted([
        ("name", "王芳"), ("name", "欧阳明月"), ("name", "Li Lei"), ("name", "嘉园"),
        ("phone", "13912345678"), ("phone", "13912345678"), ("phone", "13912345678"),
        ("phone", "09318123456"), ("room", "502室"), ("room", "单元502"), ("room", "楼502"), ("room", "3-2-502")])
    # Masked, part of a longer number, another room, or part of a public name: no hit.
    assert needles.scan_text("王* 欧***  某某 139****5678 0931****56 620102013912345678 某室 天庆嘉园社区 "
                             "天庆嘉园A区 5021室 503室 王 芳 12号楼院") == []
    # A PDF's text has spaces between its glyphs.
    assert needles.scan_text("联系 王 芳", squeeze=True) == [("name", "王芳")]
