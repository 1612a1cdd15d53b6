"""Reads that pages, the API and the ledger share: who sees which needs, the claim board, the timeline."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.models import Event
from needs import workflow
from needs.models import Need, NeedReporter, State
from people import scopes
from people.masking import mask_name, mask_phone
from people.models import MemberReport, MemberReportState, Role
from places.models import Coverage, Place
from places.selectors import within


def placed_within(prefixes) -> Exists:
    """Needs placed inside any of the places with these codes (their subtrees).

    An EXISTS on the need's own place rather than a join on the place's code: the database then walks the
    needs newest first from the keyset cursor and checks each one's place by its key, instead of collecting
    every need of the area's hundreds of buildings and sorting them (what SQLite's planner does with a join:
    13 ms rather than 1 ms for a page of a community with 8,000 needs)."""
    return Exists(Place.objects.filter(within(prefixes), pk=OuterRef("place_id")))


def needs_in_scope(user) -> QuerySet:
    """Needs the user handles as staff: those in the places of their staff roles."""
    if scopes.is_superuser(user):
        return Need.objects.all()
    return Need.objects.filter(placed_within(scopes.place_prefixes(user)))


def needs_visible_to(user) -> QuerySet:
    """Every need the user may open: public ones, their area's, the ones they reported or work on."""
    if scopes.is_superuser(user):
        return Need.objects.all()
    # Multi-valued relations are tested with EXISTS: no duplicate rows, and no `pk IN (subquery)` that the
    # database would have to build over the whole table before it can look up one need or one page.
    q = Q(is_public=True, state__in=workflow.PUBLIC)
    if getattr(user, "is_authenticated", False):
        q |= placed_within(scopes.place_prefixes(user))
        units = scopes.unit_ids(user)
        if units:
            q |= Q(lead_organisation__in=units) | Exists(
                Need.collaborators.through.objects.filter(need=OuterRef("pk"), organisation__in=units))
        person = scopes.person_of(user)
        if person is not None:
            q |= Q(reporter=person) | Q(lead_person=person) | Exists(
                NeedReporter.objects.filter(need=OuterRef("pk"), person=person))
    return Need.objects.filter(q)


def with_labels(qs: QuerySet) -> QuerySet:
    """The labels a need is shown with. The place (and its parent) come in a second query rather than a join:
    joined, they let SQLite's planner start from the area's places and sort every need found there (5.7 s for
    a page of a community in a 200,000-need subdistrict) instead of walking the needs newest first (3 ms)."""
    return qs.select_related("category", "lead_organisation", "lead_person").prefetch_related(
        Prefetch("place", queryset=Place.objects.select_related("parent")))


def coverage_codes(user) -> list[str]:
    """Codes of the places the user answers for: what they or their unit cover (包抓), and the grid whose
    party branch they were placed in. "Near my coverage" on the claim board means inside one of these."""
    if not user.is_authenticated:
        return []
    person = scopes.person_of(user)
    covers = Q(organisation__in=scopes.unit_ids(user))
    placed = []
    if person is not None:
        covers |= Q(person=person)
        placed = MemberReport.objects.filter(membership__person=person, state=MemberReportState.PLACED
                                             ).values_list("grid_branch__place__code", flat=True)
    covered = Coverage.objects.filter(covers, until__isnull=True).values_list("place__code", flat=True)
    return sorted({*covered, *placed})


def filtered(qs: QuerySet, *, within: str = "", category_id: int | None = None, concern_level: str = "",
             near: list[str] | None = None) -> QuerySet:
    """The claim board's filters, shared by the page and the API.

    within: a place code (community or grid); category_id: the category or its sub-categories;
    near: place codes (see coverage_codes) — only needs inside one of them."""
    if within:
        qs = qs.filter(placed_within([within]))
    if category_id is not None:
        qs = qs.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    if concern_level:
        qs = qs.filter(concern_level=concern_level)
    if near is not None:
        qs = qs.filter(placed_within(near))
    return qs


def board(*, tab="open", community=None, grid=None, category=None, concern_level="", near=None) -> QuerySet:
    """The public claim board: public needs only, no personal data is read."""
    qs = Need.objects.filter(is_public=True, state__in=workflow.BOARD_TABS.get(tab, workflow.BOARD_TABS["open"]))
    place = grid or community
    qs = filtered(qs, within=place.code if place else "", category_id=category.pk if category else None,
                  concern_level=concern_level, near=near)
    return with_labels(qs).order_by("-id")


def triage(user) -> QuerySet:
    """What waits for the user's decision: new and accepted needs of their area; escalations for the subdistrict."""
    states = list(workflow.TRIAGE)
    if scopes.is_superuser(user) or Role.SUBDISTRICT_ADMIN in scopes.roles(user):
        states.append(State.ESCALATED)
    return with_labels(needs_in_scope(user).filter(state__in=states)).order_by("submitted_at", "id")


def mine(user) -> QuerySet:
    person = scopes.person_of(user)
    if person is None:
        return Need.objects.none()
    return with_labels(Need.objects.filter(Q(reporter=person) | Q(extra_reporters__person=person)).distinct())


def working_on(user) -> QuerySet:
    """Needs the user's unit (or the user) leads or helps with."""
    units = scopes.unit_ids(user)
    person = scopes.person_of(user)
    q = Q(lead_organisation__in=units) | Q(collaborators__in=units)
    if person is not None:
        q |= Q(lead_person=person)
    return with_labels(Need.objects.filter(pk__in=Need.objects.filter(q).values("pk"))).order_by("-id")


def timeline(need: Need) -> QuerySet:
    return Event.objects.filter(subject_type="needs.need", subject_id=str(need.pk)).select_related("actor")


def reporter_label(need: Need, user) -> str:
    """Staff of the area and the reporter see the masked name and phone; anyone else sees the masked
    surname, and only if the resident agreed (show_name). Never the full value."""
    if need.reporter is None:
        return _("Anonymous")
    if scopes.covers_place(user, need.place) or scopes.person_of(user) == need.reporter:
        phone = mask_phone(need.reporter.phone) if need.reporter.phone else ""
        return f"{mask_name(need.reporter.name)} {phone}".strip()
    return mask_name(need.reporter.name)[:1] + "*" if need.show_name else _("A resident")
