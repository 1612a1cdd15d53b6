"""The needs loop in the API (/api/v1/needs): the same selectors and the same need_act as the pages.

Errors: 403 forbidden action, 404 not visible, 409 the need moved on (with the current holder, e.g. a lost
claim race), 422 field errors ({"detail", "errors": {field: [messages]}}), 429 too many submissions.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ValidationError as PydanticValidationError
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from core.api import Body, Detail, FieldErrors, Id, Offset, refused, sent_as_built
from core.pagination import keyset_page
from needs import selectors, workflow
from needs.actions import affected_refusal
from needs.matching import words
from needs.models import Category, Channel, ConcernLevel, Need, Rating, State
from needs.permissions import actions_for
from needs.public import NeedView, list_views, need_view
from needs.ratelimit import submission_allowed
from needs.services import NeedConflict, need_act, need_submit
from people.api import caller
from people.public import SEPARATOR, path_codes
from places.api import CODE
from places.models import Place

router = Router(tags=["needs"])
categories_router = Router(tags=["needs"])


class ConflictOut(Detail):
    holder: str
    state: str


class NeedIn(Body):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    place: str = Field(pattern=CODE, description="the place's code")
    category: Id | None = Field(None, description="a category id (GET /api/v1/categories)")
    concern_level: ConcernLevel | None = None
    affected: int = Field(1, ge=1, le=settings.NEEDS_AFFECTED_MAX, description="people affected (NEEDS_AFFECTED_MAX)")
    show_name: bool = False
    is_public: bool = True
    reporter: Id | None = Field(None, description="staff recording for a resident: the resident's person id")

    @field_validator("affected", mode="wrap")
    @classmethod
    def affected_bounded(cls, value, handler):
        """The service's own words for a number out of bounds or not a whole number (pydantic's are English)."""
        try:
            return handler(value)
        except PydanticValidationError:
            raise PydanticCustomError("affected", affected_refusal()) from None


class NeedOut(Schema):
    """A need as the caller may read it (needs.public): outside its area, and unless they work on it or reported
    it, its place only down to the grid and its title and description as the public reads them."""

    id: int
    title: str
    description: str
    category: str | None
    concern_level: ConcernLevel
    channel: Channel
    place: str = Field(description="the place's code, or its grid's (community's) for callers who see only that")
    place_name: str = Field(description="the name of that place")
    place_path: str = Field(description="from the community down to that place, e.g. 天庆嘉园社区 › 天庆嘉园第一网格")
    state: State
    level: str
    holder: str | None
    affected: int
    submitted_at: datetime.datetime
    claimed_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    resolve_due: datetime.datetime | None
    resolved_on_time: bool | None
    overdue: bool
    rating: Rating | None


def _need_out(need: Need, shown: NeedView) -> dict:
    """NeedOut's fields in its order, as the caller reads the need (`shown`, needs.public): the list's items as
    they are sent, and the start of a NeedDetailOut."""
    return {
        "id": need.pk, "title": shown.title, "description": shown.text(need.description),
        "category": need.category.name if need.category_id else None,
        "concern_level": need.concern_level, "channel": need.channel,
        "place": need.place.code if shown.full_place else path_codes(need.place.code)[-1],
        "place_name": shown.place.rsplit(SEPARATOR, 1)[-1], "place_path": shown.place,
        "state": need.state, "level": need.level, "holder": need.holder_label or None, "affected": need.affected,
        "submitted_at": need.submitted_at, "claimed_at": need.claimed_at, "resolved_at": need.resolved_at,
        "closed_at": need.closed_at, "resolve_due": need.resolve_due, "resolved_on_time": need.resolved_on_time,
        "overdue": need.overdue, "rating": need.rating or None,
    }


class EventOut(Schema):
    at: datetime.datetime
    action: str
    from_state: str | None
    to_state: str | None
    note: str


class NeedDetailOut(NeedOut):
    reporter: str = Field(description="masked; the surname only for callers outside the area, if allowed")
    collaborators: list[str]
    actions: list[str] = Field(description="the actions this caller may take now")
    events: list[EventOut]
    reference: str | None = Field(description="the tracking reference (查询码, /needs/track/<reference>/): for "
                                              "the need's reporters and the staff of its area, else null")


def _need_detail(request, need: Need) -> dict:
    """NeedDetailOut's fields: the need as the caller reads it, with its timeline."""
    user = request.user
    shown = need_view(need, user)
    return {
        **_need_out(need, shown),
        "reporter": selectors.reporter_label(need, user),
        "collaborators": [o.name for o in need.collaborators.all()],
        "actions": actions_for(user, need),
        "events": [{"at": e.at, "action": e.verb.removeprefix("need."), "from_state": e.data.get("from"),
                    "to_state": e.data.get("to"), "note": shown.text(e.data.get("note") or "")}
                   for e in selectors.timeline(need)],
        "reference": need.reference if shown.as_typed else None,
    }


class NeedPage(Schema):
    items: list[NeedOut]
    next: int | None = Field(None, description="pass as `before` to get the next page")


class NeedFilters(Schema):
    state: State | None = None
    community: str | None = Field(None, pattern=CODE, description="a community's code")
    grid: str | None = Field(None, pattern=CODE, description="a grid's code")
    category: Id | None = None
    concern_level: ConcernLevel | None = None
    near: bool = Field(False, description="only needs inside the places the caller or their unit covers")
    before: Id | None = Field(None, description="keyset cursor: only needs with a smaller id")
    limit: int = Field(50, ge=1, le=200)


def _visible(request, pk, *, labels=True) -> Need:
    needs = selectors.needs_visible_to(request.user)
    need = (selectors.with_labels(needs) if labels else needs).filter(pk=pk).first()
    if need is None:
        raise Http404(f"找不到编号为 {pk} 的需求 / No need {pk} is visible to you")
    return need


@router.post("", response={201: NeedDetailOut, 403: Detail, 422: FieldErrors, 429: Detail}, summary="Submit a need")
def need_create(request, payload: NeedIn):
    if not submission_allowed(request):
        return Status(429, {"detail": "提交过于频繁，请稍后再试 / Too many submissions: try again later"})
    place = Place.objects.filter(code=payload.place).first()
    if place is None:
        return refused(ValidationError({"place": "找不到该地点编码 / No place has this code"}))
    fields = payload.dict(exclude_none=True)
    fields.update(place=place, channel=Channel.API)
    if payload.category is not None and not Category.objects.filter(pk=payload.category).exists():
        return refused(ValidationError({"category": "找不到该类别 / No such category"}))
    try:
        need = need_submit(actor=request.user, **fields)
    except ValidationError as error:
        return refused(error)
    return Status(201, _need_detail(request, selectors.with_labels(Need.objects).get(pk=need.pk)))


@router.get("", response=NeedPage, summary="List needs (the claim board's filters, keyset pagination)")
def need_list(request, filters: Query[NeedFilters]):
    needs = selectors.listed(selectors.needs_visible_to(request.user)).order_by("-id")
    if filters.state:
        needs = needs.filter(state=filters.state)
    needs = selectors.filtered(needs, within=filters.grid or filters.community or "", category_id=filters.category,
                               concern_level=filters.concern_level or "",
                               near=selectors.coverage_codes(request.user) if filters.near else None)
    page = keyset_page(needs, filters.before, filters.limit)
    views = list_views(page.object_list, request.user)
    # Sent as built, not validated through NeedPage again: _need_out gives its fields in its types and order
    # (needs/tests/test_api.py checks the two agree), and the validation took a fifth of the request.
    return sent_as_built(request, {"items": [_need_out(n, views[n.pk]) for n in page.object_list],
                                                "next": page.next_before})


@router.get("/{int:need_id}", response=NeedDetailOut, summary="One need with its events")
def need_detail(request, need_id: Id):
    return _need_detail(request, _visible(request, need_id))


def _act(request, need_id: Id, action: str, fields: dict):
    need = _visible(request, need_id, labels=False)  # need_act reads the need again, under its lock
    try:
        need = need_act(actor=request.user, need=need, action=action, **fields)
    except NeedConflict as conflict:
        return Status(409, {"detail": conflict.message, "holder": conflict.holder, "state": conflict.state})
    except ValidationError as error:
        return refused(error)
    # the actor may have just lost sight of it
    return Status(200, _need_detail(request, selectors.with_labels(Need.objects).get(pk=need.pk)))


ACTION_RESPONSES = {200: NeedDetailOut, 403: Detail, 404: Detail, 409: ConflictOut, 422: FieldErrors}


def _action_endpoint(action: str, fields: type[Schema] | None):
    """One endpoint per action, its body the action's own schema: only its fields reach need_act, so no
    timestamp, internal key or system-only flag can come from outside."""
    if fields is None:
        def endpoint(request, need_id: Id):
            return _act(request, need_id, action, {})
    else:
        def endpoint(request, need_id: Id, payload: fields):
            return _act(request, need_id, action, payload.dict(exclude_none=True))
    endpoint.__name__ = f"need_{action}"
    return endpoint


for _name, _record in workflow.ACTIONS.items():
    if _name != "submit" and not _record.system_only:
        router.post(f"/{{int:need_id}}/actions/{_name}", response=ACTION_RESPONSES, operation_id=f"need_{_name}",
                    summary=f"{_record.label} ({_name})")(_action_endpoint(_name, _record.fields))


@router.post("/{int:need_id}/actions/{action}", response={404: Detail}, summary="Any other action: 404",
             include_in_schema=False)
def need_action_unknown(request, need_id: Id, action: str):
    raise Http404(f"未知操作 {action} / Unknown action {action}")


# --- Categories: what `category` takes (submitting, filtering, accepting); public, as the forms' choices ---

class CategoryOut(Schema):
    id: int
    name: str
    parent: int | None = Field(description="the parent category's id; null: a top category")
    keywords: list[str] = Field(description="words that match the services units and members offer")
    order: int

    @staticmethod
    def resolve_parent(category) -> int | None:
        return category.parent_id

    @staticmethod
    def resolve_keywords(category) -> list[str]:
        return words(category.keywords)


class CategoryPage(Schema):
    count: int
    items: list[CategoryOut]


class CategoryFilters(Schema):
    parent: Id | None = Field(None, description="only the children of this category")
    limit: int = Field(500, ge=1, le=500)
    offset: Offset = 0


@categories_router.get("", response={200: CategoryPage, 401: Detail}, auth=None,
                       summary="The categories (the tree: each with its parent), in their order (public)")
def category_list(request, filters: Query[CategoryFilters]):
    caller(request)
    categories = Category.objects.order_by("order", "name", "id")
    if filters.parent is not None:
        categories = categories.filter(parent_id=filters.parent)
    return {"count": categories.count(),
            "items": list(categories[filters.offset:filters.offset + filters.limit])}


@categories_router.get("/{int:category_id}", response={200: CategoryOut, 401: Detail, 404: Detail}, auth=None,
                       summary="One category (public)")
def category_detail(request, category_id: Id):
    caller(request)
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404(f"找不到编号为 {category_id} 的类别 / No category {category_id}")
    return category
