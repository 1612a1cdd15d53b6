"""Reads that pages, the API and the ledger share: who sees which needs, the claim board, the timeline."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Event
from core.params import int_param
from core.proofs import subject_proof
from needs import workflow
from needs.models import ConcernLevel, Level, Need, NeedReporter, State, reference_clean
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


# What a page of needs in the API reads of each (needs.api.need_list, needs.public.list_views): the rest of a
# need's columns and of its labels' rows are left unread, as building them took a third of the request.
LISTED = ("id", "title", "description", "category__name", "concern_level", "channel", "place", "state", "level",
          "lead_organisation__name", "lead_person__name", "affected", "submitted_at", "claimed_at",
          "resolved_at", "closed_at", "resolve_due", "resolved_on_time", "overdue", "rating", "reporter",
          "contact_name")


def listed(qs: QuerySet) -> QuerySet:
    """with_labels, for a page of needs (LISTED): only the columns it reads; the place by its code and name."""
    return qs.select_related("category", "lead_organisation", "lead_person").only(*LISTED).prefetch_related(
        Prefetch("place", queryset=Place.objects.only("id", "code", "name")))


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


# --- The worklist (needs:triage) and the home page's counts: each queue is defined here once ---------------

STAFF_QUEUES = ("triage", "accept", "publish", "dispatch", "escalated", "overdue", "all")
HOLDER_QUEUES = ("claims", "due_week")  # what a unit or a member holds
QUEUE_LABELS = {
    "triage": gettext_lazy("To triage"), "accept": gettext_lazy("To accept"),
    "publish": gettext_lazy("To publish"), "dispatch": gettext_lazy("To dispatch"),
    "escalated": gettext_lazy("Escalated (吹哨)"), "overdue": gettext_lazy("Overdue"),
    "all": gettext_lazy("All needs of my area"),
    "claims": gettext_lazy("My claims"), "due_week": gettext_lazy("My claims due this week"),
}
# Every queue but "all" holds open needs only: the counts read only their rows (the index on state).
# (What waits for a follow-up call is the call-back list's: `callbacks`.)


def handles_escalations(user) -> bool:
    """What a community escalates (吹哨) is the subdistrict's to handle."""
    return scopes.is_superuser(user) or Role.SUBDISTRICT_ADMIN in scopes.roles(user)


def decides(user) -> bool:
    """Staff who accept, reject and publish (grid workers record and follow up, but do not decide)."""
    return scopes.is_superuser(user) or bool(scopes.roles(user) & {Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF})


def queues_for(user) -> list[str]:
    """The queues of the user's worklist: their area's (staff, grid workers), what their unit or they hold."""
    queues = []
    if scopes.is_superuser(user) or scopes.roles(user) & set(scopes.PLACE_ROLES):
        queues += STAFF_QUEUES
    if scopes.unit_ids(user) or Role.PARTY_MEMBER in scopes.roles(user):
        queues += HOLDER_QUEUES
    return queues


def week_end(now: datetime.datetime) -> datetime.datetime:
    """The Monday 00:00 (local time) after `now`: where "this week" ends."""
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=7 - today.weekday()),
                                                         datetime.time.min))


def _held_q(user) -> Q:
    q = Q(lead_organisation__in=scopes.unit_ids(user))
    person = scopes.person_of(user)
    return q | Q(lead_person=person) if person is not None else q


def held_by(user) -> QuerySet:
    """Needs the user's units or the user hold (claimed, or dispatched to them); not those they help with."""
    return Need.objects.filter(_held_q(user))


def queue_q(queue: str, *, user, now: datetime.datetime) -> Q:
    """Which needs of the queue's base (`queue_base`) the queue holds."""
    S = State
    return {
        # New and accepted needs of the area; for the subdistrict also what communities escalated.
        "triage": Q(state__in=[*workflow.TRIAGE, *([S.ESCALATED] if handles_escalations(user) else [])]),
        "accept": Q(state=S.SUBMITTED),
        "publish": Q(state=S.ACCEPTED, is_public=True),
        # A private need is dispatched, never published; a published one is, once nobody claimed it in time.
        "dispatch": Q(state=S.ACCEPTED, is_public=False) | Q(state=S.PUBLISHED, claim_due__lt=now),
        "escalated": Q(state=S.ESCALATED),
        "overdue": Q(state__in=workflow.OPEN, overdue=True),
        "all": Q(),
        "claims": Q(state__in=workflow.OPEN_WORK),
        "due_week": Q(state__in=workflow.OPEN_WORK, resolve_due__lt=week_end(now)),
    }[queue]


def queue_base(queue: str, user) -> QuerySet:
    return held_by(user) if queue in HOLDER_QUEUES else needs_in_scope(user)


def queue_counts(user, queues, *, now: datetime.datetime) -> dict[str, int]:
    """How many needs each queue holds (not "all"): one query per base, counting only open needs."""
    counts = {}
    for names in ([q for q in queues if q in STAFF_QUEUES and q != "all"], [q for q in queues if q in HOLDER_QUEUES]):
        if names:
            counts.update(queue_base(names[0], user).filter(state__in=workflow.OPEN).aggregate(
                **{name: Count("pk", filter=queue_q(name, user=user, now=now)) for name in names}))
    return counts


# A need whose deadline the sweep flagged, or that a community escalated, comes first in every order.
PINNED = Case(When(Q(state=State.ESCALATED) | Q(overdue=True), then=Value(0)), default=Value(1))
# The deadline each state waits on (needs.workflow.due_kind), as SQL: a department first reports in.
DUE = Case(When(state=State.CLAIMED, level=Level.DEPARTMENT, reported_in_at__isnull=True, then=F("report_in_due")),
           *[When(state=state, then=F(f"{kind}_due")) for state, kind in workflow.DEADLINE_OF.items()])
CONCERN_RANK = Case(*[When(concern_level=level, then=Value(rank))
                      for rank, level in enumerate(reversed(ConcernLevel.values))])  # anguish first
SORTS = {
    "oldest": ("submitted_at", "id"),
    "newest": ("-submitted_at", "-id"),
    "due": (DUE.asc(nulls_last=True), "id"),
    "concern": (CONCERN_RANK.asc(), "submitted_at", "id"),
}


def number_or_text(q: str) -> Q:
    """A need by its number (123 or #123), or by words of its title or description."""
    q = q.strip()
    if not q:
        return Q()
    found = Q(title__icontains=q) | Q(description__icontains=q)
    number = int_param(q.removeprefix("#"))
    return found | Q(pk=number) if number is not None else found


def worklist(user, queue: str, *, now: datetime.datetime, q: str = "", category=None, concern_level: str = "",
             channel: str = "", grid=None, overdue: bool = False, escalated: bool = False,
             since: datetime.date | None = None, until: datetime.date | None = None, sort: str = "") -> QuerySet:
    """A queue of the worklist with the staff's search and filters, escalated and overdue needs first.

    escalated: raised to the subdistrict (吹哨) — waiting there, or handled there since; since / until:
    submitted on those days (local time)."""
    qs = filtered(queue_base(queue, user).filter(queue_q(queue, user=user, now=now)), within=grid.code if grid else "",
                  category_id=category.pk if category else None, concern_level=concern_level)
    qs = qs.filter(number_or_text(q))
    if channel:
        qs = qs.filter(channel=channel)
    if overdue:
        qs = qs.filter(overdue=True)
    if escalated:
        qs = qs.filter(Q(state=State.ESCALATED) | ~Q(level=Level.COMMUNITY))
    if since:
        qs = qs.filter(submitted_at__gte=_day_start(since))
    if until:
        qs = qs.filter(submitted_at__lt=_day_start(until + datetime.timedelta(days=1)))
    order = SORTS.get(sort) or SORTS["due" if queue in HOLDER_QUEUES else "oldest"]
    return with_labels(qs).order_by(PINNED.asc(), *order)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def mine(user) -> QuerySet:
    person = scopes.person_of(user)
    if person is None:
        return Need.objects.none()
    return with_labels(Need.objects.filter(Q(reporter=person) | Q(extra_reporters__person=person)).distinct())


def working_on(user) -> QuerySet:
    """Needs the user's unit (or the user) leads or helps with."""
    q = _held_q(user) | Q(collaborators__in=scopes.unit_ids(user))
    return with_labels(Need.objects.filter(pk__in=Need.objects.filter(q).values("pk"))).order_by("-id")


def timeline(need: Need) -> QuerySet:
    """The need's workflow events (need.<action>), oldest first; not the log of who was shown its contact."""
    return Event.objects.filter(subject_type="needs.need", subject_id=str(need.pk), verb__startswith="need."
                                ).select_related("actor")


def public_need(pk: int) -> Need | None:
    """The need if the public may open it (its page without an account), else None."""
    return with_labels(needs_visible_to(AnonymousUser())).filter(pk=pk).first()


def proof(need: Need) -> dict:
    """The proof of the events of its timeline under the signed checkpoints (core.proofs, docs/resident-proof.md)."""
    return subject_proof("needs.need", need.pk, verb_prefix="need.")


def reporter_label(need: Need, user) -> str:
    """Staff of the area and the reporter see the masked name and phone; anyone else sees the masked
    surname, and only if the resident agreed (show_name). Never the full value."""
    if need.reporter is None:
        if need.contact_phone and scopes.covers_place(user, need.place):  # left a phone, without an account
            return f"{mask_name(need.contact_name)} {mask_phone(need.contact_phone)}".strip()
        return _("Anonymous")
    if scopes.covers_place(user, need.place) or scopes.person_of(user) == need.reporter:
        phone = mask_phone(need.reporter.phone) if need.reporter.phone else ""
        return f"{mask_name(need.reporter.name)} {phone}".strip()
    return mask_name(need.reporter.name)[:1] + "*" if need.show_name else _("A resident")


def tracked(reference: str) -> Need | None:
    """The need a tracking reference (查询码) follows, with what its public status page shows; None for a
    reference nobody has (however it is mistyped)."""
    return Need.objects.select_related("category", "lead_organisation", "lead_person", "place__parent",
                                       "merged_into").filter(reference=reference_clean(reference)).first()


CALLBACK_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_STAFF)  # who makes the follow-up call (回访)


def calls_back(user) -> bool:
    """Whether the user has a call-back list."""
    return scopes.is_superuser(user) or bool(scopes.roles(user) & set(CALLBACK_ROLES))


def callbacks(user, *, now) -> QuerySet:
    """The call-back list (回访) of a grid worker or community staff: needs of their area that were resolved and
    not rated within the rating window, for NEEDS_CALLBACK_DAYS after it, those waiting longest first. (Once the
    window passes the sweep closes them as not rated; the follow-up call may still record the grade.)"""
    window_end = now - workflow.rate_window()
    qs = Need.objects.all() if scopes.is_superuser(user) else Need.objects.filter(
        placed_within(scopes.place_prefixes(user, CALLBACK_ROLES)))
    qs = qs.filter(state__in=workflow.DONE, rating="", resolved_at__lte=window_end,
                   resolved_at__gt=window_end - datetime.timedelta(days=settings.NEEDS_CALLBACK_DAYS))
    return with_labels(qs).select_related("reporter").order_by("resolved_at", "id")


GRID_CODE_LENGTH = 15


def grid_counts(needs: QuerySet) -> dict[str, dict[str, int]]:
    """The needs of `needs` per grid, for the map of the grids (places.maps): grid code → {"needs": how many,
    "overdue": how many of them are overdue}, in one grouped query. A need placed on a community itself is in no
    grid and not counted."""
    rows = (needs.order_by().annotate(grid=Substr("place__code", 1, GRID_CODE_LENGTH)).values("grid")
            .annotate(n=Count("id"), late=Count("id", filter=Q(overdue=True))))
    return {row["grid"]: {"needs": row["n"], "overdue": row["late"]} for row in rows
            if len(row["grid"]) == GRID_CODE_LENGTH}
