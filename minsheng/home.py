"""The per-role home page: it reads every app below, so it lives at the top (an app may not import upward)."""

from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import selectors as meeting_selectors
from needs import selectors as need_selectors
from offers import selectors as offer_selectors
from offers import workflow as offer_workflow
from people import scopes
from people import selectors as people_selectors
from people.models import Organisation, Person, Role
from places import selectors as place_selectors
from places.models import Place, PlaceKind, containing_codes
from places.selectors import within
from sites.models import Site, SiteKind
from sites.selectors import alerts_for as station_alerts
from volunteering import selectors as volunteer_selectors
from volunteering.models import SignupState

# The counts on the home page, by what the user does: staff decide, grid workers watch their grid, holders work.
STAFF_COUNTS = ("accept", "publish", "dispatch", "escalated", "overdue")
GRID_WORKER_COUNTS = ("accept", "overdue")


def _workload(user) -> list[dict]:
    """How many needs wait in each of the user's lists, each linking to the list it counts, counted by the
    list's own selector (the count is the list's length)."""
    queues = need_selectors.queues_for(user)
    area = [q for q in (STAFF_COUNTS if need_selectors.decides(user) else GRID_WORKER_COUNTS) if q in queues]
    held = [q for q in need_selectors.HOLDER_QUEUES if q in queues]
    now = timezone.now()
    counts = need_selectors.queue_counts(user, area + held, now=now)
    to_me = need_selectors.handles_escalations(user)

    def item(q):
        label = _("Escalated to me (吹哨)") if q == "escalated" and to_me else need_selectors.QUEUE_LABELS[q]
        return {"label": label, "count": counts[q], "url": f"{reverse('needs:triage')}?queue={q}"}

    calls = []
    if need_selectors.calls_back(user):
        calls = [{"label": _("Awaiting follow-up (回访)"), "count": need_selectors.callbacks(user, now=now).count(),
                  "url": reverse("needs:callbacks")}]
    return [*map(item, area), *calls, *map(item, held)]


def _area_section(place: Place) -> dict:
    """The figures of a subdistrict or community: its places, units, reported members, coverage, sites."""
    kinds = place_selectors.kind_counts(place)
    sites = dict(Site.objects.filter(within(place, "place")).values_list("kind")
                 .annotate(n=Count("id")).values_list("kind", "n"))
    return {
        "place": place, "figures": place_selectors.place_figures(place),
        "communities": kinds.get(PlaceKind.COMMUNITY, 0), "grids": kinds.get(PlaceKind.GRID, 0),
        "units": people_selectors.co_building_units(place).count(),
        "members": people_selectors.dual_reported_members(place).count(),
        "reports": people_selectors.report_state_counts(community=place),
        "coverage": place_selectors.coverage_counts(place),
        "sites": [(label, sites.get(kind, 0), kind) for kind, label in SiteKind.choices],
    }


def _community_section(place: Place) -> dict:
    return {**_area_section(place),
            "grid_list": place_selectors.children_with_counts(place).filter(kind=PlaceKind.GRID),
            "waiting": people_selectors.reports_waiting(place),
            "recent": people_selectors.reports_recent(place)}


def _grid_section(user, grid: Place) -> dict:
    residents = people_selectors.resident_list(user, place=grid)
    return {"place": grid, "figures": place_selectors.place_figures(grid),
            "children": place_selectors.children_with_counts(grid),
            "resident_count": residents.count(), "residents": residents[:20]}


def _unit_section(organisation: Organisation) -> dict:
    return {"org": organisation,
            "party": people_selectors.party_organisation_tree(list(organisation.party_organisations.all())),
            "member_count": people_selectors.unit_members(organisation).count(),
            "reports": people_selectors.report_state_counts(organisation=organisation),
            "coverages": organisation.coverages.select_related("place").order_by("place__code")}


def _self_section(user) -> dict | None:
    person = (Person.objects.filter(user=user).select_related("home__parent__parent")
              .prefetch_related("memberships__party_organisation__organisation", "memberships__reports__community",
                                "memberships__reports__grid_branch", "team_memberships__team").first())
    if person is None:
        return None
    return {"person": person, "home_path": [*person.home.ancestors(), person.home] if person.home else []}


def _offers_section(user, person: Person | None) -> dict | None:
    """A resident's bookings still to come and the offers (实事清单) of their community."""
    if person is None:
        return None
    upcoming = offer_selectors.bookings_of(person).filter(
        state__in=offer_workflow.ACTIVE, session__ends_at__gte=timezone.now()).order_by("session__starts_at", "id")
    community = (Place.objects.filter(kind=PlaceKind.COMMUNITY, code__in=containing_codes(person.home.code)).first()
                 if person.home_id else None)
    offers = offer_selectors.offers_public(community=community)[:5] if community is not None else []
    return {"bookings": list(upcoming[:5]), "community": community, "offers": list(offers)}


def _unit_offers(user, organisation: Organisation) -> dict:
    """A unit's offers and today's bookings of them (the provider's page has the rest)."""
    today = timezone.localdate()
    bookings = offer_selectors.bookings_for_provider(user, first_day=today, last_day=today).filter(
        session__offer__organisation=organisation)
    return {"offers": list(offer_selectors.offers_managed_by(user).filter(organisation=organisation)[:10]),
            "today": list(bookings[:10]), "today_count": bookings.count()}


def _volunteer_section(user) -> dict | None:
    """A volunteer's sign-ups still to come, their certified hours and star level (我的志愿服务 has the rest)."""
    volunteer = volunteer_selectors.volunteer_of(user)
    if volunteer is None:
        return None
    total = volunteer_selectors.hours_total(volunteer)
    upcoming = volunteer.signups.filter(state__in=(SignupState.SIGNED_UP, SignupState.WAITING),
                                        activity__ends_at__gte=timezone.now()).select_related(
        "activity__place").order_by("activity__starts_at", "id")
    stars = volunteer_selectors.star_level(total)
    return {"volunteer": volunteer, "hours": total, "stars": "★" * stars + "☆" * (5 - stars),
            "signups": list(upcoming[:5])}


def _organiser_today(user) -> list:
    """The activities the user organises today: their check-in code and list are a tap away."""
    today = timezone.localdate()
    return list(volunteer_selectors.organiser_activities(user, first_day=today, last_day=today)
                .filter(is_cancelled=False)[:10])


def _committee_section(community: Place) -> dict:
    return {"place": community, "committee": people_selectors.committee_of(community),
            "honours": people_selectors.honours_of(place=community)}


def public_home(request):
    """The site's root for a visitor who is not signed in: report a problem, the claim board, the ledger, and
    following a report by its tracking reference."""
    return render(request, "minsheng/public_home.html")


def home(request):
    """What each of the user's roles works on, one section per role; a visitor sees the public home."""
    if not request.user.is_authenticated:
        return public_home(request)
    user = request.user
    by_role: dict[str, list] = {}
    for assignment in scopes.assignments(user):
        by_role.setdefault(assignment.role, []).append(assignment.place or assignment.organisation)
    context: dict = {"sections": bool(by_role), "workload": _workload(user)}
    if scopes.is_superuser(user) and Role.SUBDISTRICT_ADMIN not in by_role:
        by_role[Role.SUBDISTRICT_ADMIN] = list(Place.objects.filter(kind=PlaceKind.SUBDISTRICT))
    context["subdistricts"] = [_area_section(p) for p in by_role.get(Role.SUBDISTRICT_ADMIN, [])]
    context["communities"] = [_community_section(p) for p in by_role.get(Role.COMMUNITY_STAFF, [])]
    context["grids"] = [_grid_section(user, p) for p in by_role.get(Role.GRID_WORKER, [])]
    context["units"] = [{**_unit_section(o), **_unit_offers(user, o)} for o in by_role.get(Role.UNIT_ADMIN, [])]
    context["committees"] = [_committee_section(p) for p in by_role.get(Role.COMMITTEE_MEMBER, [])]
    context["me"] = _self_section(user)
    context["my_offers"] = _offers_section(user, context["me"]["person"] if context["me"] else None)
    context["my_volunteering"] = _volunteer_section(user)
    context["organising_today"] = _organiser_today(user)
    context["is_member"] = Role.PARTY_MEMBER in by_role
    context["is_resident"] = Role.RESIDENT in by_role
    context["station_alerts"] = station_alerts(user)  # the stations one runs: low stock, loans overdue
    context["my_meetings"] = meeting_selectors.upcoming_for(user)  # a member's meetings to come and votes due
    return render(request, "minsheng/home.html", context)
