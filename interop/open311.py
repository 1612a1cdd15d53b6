"""Open311 GeoReport v2 (the frozen v2 spec, docs/interop.md): categories as services, needs as service requests.

What a client reads is what the public ledger may show, read through needs.public (titles, places and text as a
visitor reads them); what it files goes through needs.services.need_submit as a visitor's report on the client's
channel, and waits for staff like any other. Errors are the spec's list of {code, description}, Chinese first.
"""

import datetime
import hashlib
import json
import xml.etree.ElementTree as ET

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.params import int_param
from interop.models import Open311Client
from interop.services import key_hash
from needs import selectors, workflow
from needs.actions import affected_refusal
from needs.models import Category, ConcernLevel, Need, Photo, State, reference_clean
from needs.public import NeedView, list_views, need_view, title_names
from needs.ratelimit import bucket_take
from needs.services import need_submit
from people.api import LAST_USED_EVERY
from people.models import Person
from people.public import path_codes
from places.models import Place
from places.routing import grid_for_point
from places.selectors import place_search

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DESCRIPTION_MAX = 4000
TITLE_MAX = 60  # a need's title: the description's first line, cut here
DEFAULT_DAYS = 90  # GET requests without dates: the last 90 days (the spec's default)
PAGE_MAX = 1000  # … and at most this many a page (the spec's 1,000); `before` pages on
IDS_MAX = 1000  # service_request_id lists no longer than a page
CLOSED = (State.RESOLVED, State.CLOSED, State.REJECTED, State.MERGED)  # every other state is "open"


class Open311Error(Exception):
    """A refusal in the spec's shape: an HTTP status (400, 403, 404, 405, 429) and a description, Chinese first."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def required(name: str) -> Open311Error:
    return Open311Error(400, f"缺少 {name} / {name} is required")


def invalid(messages: dict) -> Open311Error:
    """A refusal in the services' words (the active language's), after the spec's two languages."""
    return Open311Error(400, "请求内容有误 / The request is not valid: " + "; ".join(
        f"{name}: {' '.join(texts)}" for name, texts in messages.items()))


# --- Rendering: the spec's XML (ElementTree) and JSON as UTF-8 text ---------------------------------------

# A list's element and the element of each of its items, as the spec names them.
ITEM_TAGS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
             "endpoints": "endpoint", "formats": "format", "errors": "error"}


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for name, child in value.items():
            element.append(_element(name, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_element(ITEM_TAGS[tag], child))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`data` (a list of dicts, or a dict) as the document `root` in the format asked: XML with the spec's element
    names, or JSON as text (not \\u escapes)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(_element(root, data), encoding="unicode")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    return render(fmt if fmt in FORMATS else "json", "errors",
                  [{"code": error.code, "description": error.description}], status=error.code)


def moment(value: datetime.datetime | None) -> str | None:
    """A w3c datetime in the subdistrict's time zone (2021-06-01T09:30:00+08:00)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- Discovery, services and their definitions ------------------------------------------------------------

def discovery(url: str) -> dict:
    return {"changeset": "2021-09-10T00:00:00+08:00", "contact": _("The subdistrict's office of the platform"),
            "key_service": _("An administrator issues api_keys in the back office (Open311 clients)."),
            "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": "2021-09-10T00:00:00+08:00",
                           "type": "production", "formats": ["text/xml", "application/json"]}]}


def services() -> list[dict]:
    """Every need category as a service; `group` is its parent category's name."""
    return [{"service_code": str(c.pk), "service_name": c.name, "description": c.name, "metadata": True,
             "type": "realtime", "keywords": c.keywords, "group": c.parent.name if c.parent_id else ""}
            for c in Category.objects.select_related("parent")]


def category_of(code: str, *, unknown: int = 404) -> Category:
    """The category a service_code names; an unknown one is 404 to read (services/{code}) and 400 to file."""
    if not code:
        raise required("service_code")
    pk = int_param(code)
    category = Category.objects.filter(pk=pk).first() if pk else None
    if category is None:
        raise Open311Error(unknown, f"找不到服务 {code[:30]} / No service has the code {code[:30]}")
    return category


def attributes() -> list[dict]:
    """What a resident's need form asks besides the description and the place: the concern level, the people
    affected and whether others may see it (attribute[concern_level], attribute[affected], attribute[is_public])."""
    return [
        {"variable": True, "code": "concern_level", "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 1, "description": _("Concern level"),
         "values": [{"key": value, "name": str(label)} for value, label in ConcernLevel.choices]},
        {"variable": True, "code": "affected", "datatype": "number", "required": False,
         "datatype_description": affected_refusal(), "order": 2, "description": _("People affected"),
         "values": []},
        {"variable": True, "code": "is_public", "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 3,
         "description": _("Others may see this need (leave unticked for a private matter)"),
         "values": [{"key": "true", "name": _("Public")}, {"key": "false", "name": _("Private")}]},
    ]


def service_definition(code) -> dict:
    return {"service_code": str(category_of(code).pk), "attributes": attributes()}


# --- Filing a request (POST requests) ---------------------------------------------------------------------

def client_for(api_key: str) -> Open311Client:
    """The client application whose key this is, not revoked; its last use kept to within LAST_USED_EVERY."""
    client = Open311Client.objects.filter(key_hash=key_hash(api_key), revoked_at__isnull=True).first() \
        if api_key else None
    if client is None:
        raise Open311Error(403, "api_key 无效或已吊销 / Invalid or revoked api_key")
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_EVERY:
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def jurisdiction_check(value: str | None):
    if value and value != settings.OPEN311_JURISDICTION:
        raise Open311Error(404, f"找不到辖区 {value[:50]}，本服务的辖区是 {settings.OPEN311_JURISDICTION} / "
                                f"Unknown jurisdiction_id {value[:50]}: ours is {settings.OPEN311_JURISDICTION}")


def _coordinate(value: str, name: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not -bound <= number <= bound:  # also NaN and infinities
        raise Open311Error(400, f"{name} 不是有效的坐标 / {name} is not a coordinate in WGS 84")
    return number


def place_for(data) -> Place:
    """The place a request is about: lat/long routed to the grid whose boundary holds it, else address_id (a
    place's code), else address_string (a place's name, or what finds exactly one place)."""
    lat, long = data.get("lat", "").strip(), data.get("long", "").strip()
    if lat or long:
        if not (lat and long):
            raise required("long" if lat else "lat")
        grid = grid_for_point(_coordinate(long, "long", 180), _coordinate(lat, "lat", 90))
        if grid is None:
            raise Open311Error(400, f"位置 {lat[:20]},{long[:20]} 不在本辖区任何网格内 / The location is in none "
                                    "of our grids")
        return grid
    if code := data.get("address_id", "").strip():
        place = Place.objects.filter(code=code).first()
        if place is None:
            raise Open311Error(400, f"找不到地点编码 {code[:30]} / No place has the code {code[:30]}")
        return place
    if address := data.get("address_string", "").strip():
        found = list(Place.objects.filter(name=address)[:2]) or list(place_search(address, limit=2))
        if len(found) != 1:
            raise Open311Error(400, (f"地址“{address[:50]}”对应多个地点，请用 address_id 或 lat/long / "
                                     f"The address matches several places: send address_id or lat/long") if found
                               else (f"找不到地址“{address[:50]}” / No place matches the address"))
        return found[0]
    raise Open311Error(400, "缺少位置：请给出 lat 和 long、address_id 或 address_string / A location is required: "
                            "lat and long, address_id or address_string")


def _attributes_given(data) -> dict:
    fields = {}
    if level := data.get("attribute[concern_level]", "").strip():
        if level not in ConcernLevel.values:
            raise Open311Error(400, f"attribute[concern_level] 须为 {', '.join(ConcernLevel.values)} 之一 / "
                                    f"attribute[concern_level] is one of {', '.join(ConcernLevel.values)}")
        fields["concern_level"] = level
    if affected := data.get("attribute[affected]", "").strip():
        number = int_param(affected)
        if number is None or number > settings.NEEDS_AFFECTED_MAX:
            raise invalid({"attribute[affected]": [affected_refusal()]})
        fields["affected"] = number
    if shown := data.get("attribute[is_public]", "").strip():
        if shown not in ("true", "false"):
            raise Open311Error(400, "attribute[is_public] 须为 true 或 false / attribute[is_public] is true or false")
        fields["is_public"] = shown == "true"
    return fields


def contact_name(first: str, last: str) -> str:
    """A Chinese name is written surname first without a space (张 + 三 → 张三); a Latin one first name first."""
    first, last = first.strip(), last.strip()
    if (first + last).isascii():
        return " ".join(n for n in (first, last) if n)
    return last + first


def _bucket_key(client: Open311Client) -> str:
    return hashlib.sha256(f"open311:{client.pk}".encode()).hexdigest()


def request_file(data) -> Need:
    """POST requests: a need filed for the client (form-encoded fields of the spec). email, media_url,
    device_id and account_id are accepted and not kept (docs/interop.md)."""
    client = client_for(data.get("api_key", ""))
    jurisdiction_check(data.get("jurisdiction_id"))
    category = category_of(data.get("service_code", "").strip(), unknown=400)
    place = place_for(data)
    description = data.get("description", "").strip()
    if not description:
        raise required("description")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description 最多 {DESCRIPTION_MAX:,} 字（收到 {len(description):,} 字） / "
                                f"description is at most {DESCRIPTION_MAX:,} characters (got {len(description):,})")
    fields = _attributes_given(data)
    if not bucket_take(_bucket_key(client), capacity=settings.OPEN311_BURST, per_hour=settings.OPEN311_PER_HOUR):
        raise Open311Error(429, "提交过于频繁，请稍后再试 / Too many requests: try again later")
    try:
        return need_submit(actor=AnonymousUser(), title=description.splitlines()[0][:TITLE_MAX], place=place,
                           description=description, category=category, channel=client.channel,
                           contact_name=contact_name(data.get("first_name", ""), data.get("last_name", "")),
                           contact_phone=data.get("phone", ""), **fields)
    except ValidationError as error:
        raise invalid(error.message_dict if hasattr(error, "error_dict") else {"request": error.messages}) from None


def service_notice() -> str:
    return _("Received: the community's staff will accept it within working hours, then it is public.")


def filed(need: Need) -> list[dict]:
    return [{"token": need.reference, "service_notice": service_notice(), "account_id": None}]


# --- Reading requests -------------------------------------------------------------------------------------

def public_needs():
    """What the public ledger may show: public needs from the claim board on (needs.selectors' one rule)."""
    return selectors.with_labels(selectors.needs_visible_to(AnonymousUser()))


def _ids(value: str, name: str, limit: int) -> list[int]:
    ids = [int_param(part.strip()) for part in value.split(",") if part.strip()]
    if not ids or None in ids or len(ids) > limit:
        raise Open311Error(400, f"{name} 须为逗号分隔的编号（最多 {limit} 个）/ {name} is a comma list of up to "
                                f"{limit} numbers")
    return ids


def _moment(value: str, name: str) -> datetime.datetime:
    """A w3c datetime (2021-06-01T00:00:00Z, with an offset, or a date), refused in words if it is none."""
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2099:
        raise Open311Error(400, f"{name} 不是有效的 W3C 日期时间（如 2021-06-01T00:00:00+08:00）/ {name} is not a "
                                "w3c datetime (e.g. 2021-06-01T00:00:00Z)")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def requests_find(params) -> tuple[list[Need], int | None]:
    """GET requests: the public needs the filters ask for, newest first, a page of at most `page_size` (1,000)
    and the id to pass as `before` for the next page (None on the last). service_request_id overrides the other
    filters, as the spec says; without dates the last 90 days."""
    needs = public_needs().order_by("-id")
    size = PAGE_MAX
    if value := params.get("page_size", ""):
        size = int_param(value)
        if size is None or size > PAGE_MAX:
            raise Open311Error(400, f"page_size 须为 1 到 {PAGE_MAX} / page_size is 1 to {PAGE_MAX}")
    if value := params.get("before", ""):
        before = int_param(value)
        if before is None:
            raise Open311Error(400, "before 须为编号 / before is a service_request_id")
        needs = needs.filter(id__lt=before)
    if value := params.get("service_request_id", ""):
        needs = needs.filter(pk__in=_ids(value, "service_request_id", IDS_MAX))
    else:
        if value := params.get("service_code", ""):
            needs = needs.filter(category_id__in=_ids(value, "service_code", IDS_MAX))
        end = _moment(params["end_date"], "end_date") if params.get("end_date") else None
        start = _moment(params["start_date"], "start_date") if params.get("start_date") else (
            (end or timezone.now()) - datetime.timedelta(days=DEFAULT_DAYS))
        needs = needs.filter(submitted_at__gte=start)
        if end is not None:
            needs = needs.filter(submitted_at__lte=end)
        if value := params.get("status", ""):
            statuses = {s.strip() for s in value.split(",")}
            if not statuses <= {"open", "closed"}:
                raise Open311Error(400, "status 须为 open 或 closed / status is open or closed")
            if statuses == {"open"}:
                needs = needs.exclude(state__in=CLOSED)
            elif statuses == {"closed"}:
                needs = needs.filter(state__in=CLOSED)
    rows = list(needs[:size + 1])
    return rows[:size], rows[size - 1].pk if len(rows) > size else None


def _public_places(needs) -> dict[str, Place]:
    """The places the public reads a need at (its grid, or community), by code, in one query."""
    codes = {path_codes(n.place.code)[-1] for n in needs}
    return {p.code: p for p in Place.objects.filter(code__in=codes)}


def _photos(needs) -> dict[int, Photo]:
    """Each need's first photo; a public need's photos anyone may open (needs.views.photo)."""
    first = {}
    for photo in Photo.objects.filter(need__in=[n.pk for n in needs]).order_by("at", "id"):
        first.setdefault(photo.need_id, photo)
    return first


def _list_text_names(needs) -> dict[int, frozenset[str]]:
    """For a list, the names on record its descriptions and completion notes are checked against: title_names
    over those texts (the need's reporter, holding member and contact, and the neighbours the text names), so a
    page of 1,000 costs a few queries rather than names_on_record's one per need."""
    reporters = dict(Person.objects.filter(pk__in={n.reporter_id for n in needs if n.reporter_id})
                     .values_list("pk", "name"))
    return title_names((n.pk, f"{n.description}\n{n.resolution_note}", n.place.code, (
        reporters.get(n.reporter_id), n.contact_name, n.lead_person.name if n.lead_person_id else None))
        for n in needs)


def request_rows(needs, views: dict[int, NeedView], media_url) -> list[dict]:
    """Each need as the spec's request, read as the public reads it. `media_url(photo)` is the photo's address."""
    places, photos = _public_places(needs), _photos(needs)
    rows = []
    for need in needs:
        view, place = views[need.pk], places.get(path_codes(need.place.code)[-1])
        point = place.geometry if place is not None and (place.geometry or {}).get("type") == "Point" else None
        row = {"service_request_id": need.pk, "status": "closed" if need.state in CLOSED else "open",
               "status_notes": view.text(need.resolution_note) if need.state in workflow.DONE else "",
               "service_name": need.category.name if need.category_id else "",
               "service_code": str(need.category_id or ""), "description": view.text(need.description),
               "agency_responsible": need.holder_label, "service_notice": str(need.get_state_display()),
               "requested_datetime": moment(need.submitted_at), "updated_datetime": moment(need.updated_at),
               "expected_datetime": moment(workflow.current_due(need)), "address": view.place,
               "address_id": place.code if place is not None else "", "zipcode": ""}
        if point is not None:
            row["lat"], row["long"] = point["coordinates"][1], point["coordinates"][0]
        if need.pk in photos:
            row["media_url"] = media_url(photos[need.pk])
        rows.append(row)
    return rows


def requests_list(params, media_url) -> tuple[list[dict], int | None]:
    needs, after = requests_find(params)
    views = list_views(needs, AnonymousUser())
    names = _list_text_names(needs)
    for need in needs:
        views[need.pk].names = views[need.pk].names | names.get(need.pk, frozenset())
    return request_rows(needs, views, media_url), after


def request_one(request_id, media_url) -> list[dict]:
    pk = int_param(request_id)
    need = public_needs().filter(pk=pk).first() if pk else None
    if need is None:
        raise Open311Error(404, f"找不到请求 {request_id[:30]} / No public service request {request_id[:30]}")
    return request_rows([need], {need.pk: need_view(need, AnonymousUser())}, media_url)


def token_lookup(token: str) -> list[dict]:
    """tokens/{token}: the request's id once the need is public (staff accepted and published it), else the
    token alone; a token nobody holds is 404."""
    reference = reference_clean(token)[:20]
    need = Need.objects.filter(reference=reference).only("pk", "state", "is_public").first()
    if need is None:
        raise Open311Error(404, f"找不到令牌 {reference} / No request has the token {reference}")
    public = public_needs().filter(pk=need.pk).exists()
    return [{"service_request_id": need.pk, "token": reference} if public else {"token": reference}]
