"""Reads of organisations and people that pages, API and ledger share. People always pass through
`scopes.persons_visible_to`: a directory never lists anyone the viewer may not open.

The figures of a place — its co-building units, its members dual-reported, a community's own party
members, committee and honours — are defined here once, each as of a day (`as_of`, default today): the
home page counts them today, the ledger at its period's end (ledger/README.md, "Definitions"). The
directories (`member_list`) list whom the viewer may see, which is not a figure of any place.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from people import scopes
from people.models import (
    AgreementState,
    ApiToken,
    CommitteeMember,
    Honour,
    MemberReport,
    MemberReportState,
    Organisation,
    PartyMembership,
    PartyOrganisation,
    Person,
    Role,
    RoleAssignment,
    Team,
)
from places.selectors import within

OPEN_REPORT_STATES = (MemberReportState.REPORTED, MemberReportState.PLACED)


def accounts_of(*, person=None, organisation_id=None) -> set[int]:
    """Who hears for a person or a unit: the person's account, and the unit's admins (a need's holder, an offer's
    provider, a station's operator)."""
    users = {person.user_id} if person is not None and person.user_id else set()
    if organisation_id:
        users |= set(RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, organisation=organisation_id)
                     .values_list("user_id", flat=True))
    return users


def organisation_list(*, q: str = "", kind: str = ""):
    qs = Organisation.objects.filter(Organisation.search_q(q)).select_related("place")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(branch_count=Count("party_organisations", distinct=True),
                       member_count=Count("party_organisations__memberships__person", distinct=True)).order_by("name")


def party_organisation_tree(organisations: list[PartyOrganisation]) -> list[PartyOrganisation]:
    """The given party organisations arranged under their parents (`.subs`); returns the top ones."""
    by_id = {p.pk: p for p in organisations}
    for p in organisations:
        p.subs = []
    tops = []
    for p in organisations:
        (by_id[p.parent_id].subs if p.parent_id in by_id else tops).append(p)
    return tops


def _memberships_prefetch():
    return Prefetch(
        "memberships",
        queryset=PartyMembership.objects.select_related("party_organisation__organisation").prefetch_related(
            Prefetch("reports", queryset=MemberReport.objects.select_related("community", "grid_branch")
                     .order_by("-reported_on"))),
    )


def member_list(user, *, q: str = "", state: str = "", organisation=None):
    """Party members the user may see, with their branches and dual-reporting records."""
    qs = Person.objects.filter(Exists(PartyMembership.objects.filter(person=OuterRef("pk"))))
    if organisation is not None:
        qs = qs.filter(Exists(PartyMembership.objects.filter(
            person=OuterRef("pk"), party_organisation__organisation=organisation)))
    open_reports = MemberReport.objects.filter(membership__person=OuterRef("pk"), state__in=OPEN_REPORT_STATES)
    if state in OPEN_REPORT_STATES:
        qs = qs.filter(Exists(open_reports.filter(state=state)))
    elif state == "not_reported":
        qs = qs.filter(~Exists(open_reports))
    qs = qs.filter(Person.search_q(q))
    return scopes.persons_visible_to(user, qs).prefetch_related(_memberships_prefetch())


def resident_list(user, *, q: str = "", place=None):
    qs = Person.objects.filter(is_resident=True).filter(Person.search_q(q))
    if place is not None:
        qs = qs.filter(within(place, "home"))
    # Two levels of parents: an entrance's label shows its building and compound without more queries.
    return scopes.persons_visible_to(user, qs).select_related("home__parent__parent")


# --- The figures of a place, defined once -----------------------------------------------------------

def _day(as_of: datetime.date | None) -> datetime.date:
    """The day a figure is counted on: `as_of`, or today."""
    return as_of or timezone.localdate()


def co_building_units(place, *, as_of: datetime.date | None = None) -> QuerySet:
    """共建单位: organisations with a party organisation that signed a co-building agreement in force with the
    place or a place inside it, or whose party organisation reported (双报到) to a community inside it, on or
    before `as_of`."""
    as_of = _day(as_of)
    agreed = within(place, "agreements__place") & Q(agreements__state=AgreementState.ACTIVE,
                                                    agreements__signed_on__lte=as_of)
    reported = within(place, "party_organisations__reports__community") & Q(
        party_organisations__reports__reported_on__lte=as_of)
    units = Organisation.objects.filter(agreed | reported).values("pk")
    return Organisation.objects.filter(pk__in=units, party_organisations__isnull=False).distinct()


def _open_reports(as_of: datetime.date | None) -> QuerySet:
    """Member reports that count: of an in-service member, reported on or before `as_of`, not withdrawn."""
    return MemberReport.objects.filter(state__in=OPEN_REPORT_STATES, membership__in_service=True,
                                       reported_on__lte=_day(as_of))


def member_reports_to(place, *, as_of: datetime.date | None = None) -> QuerySet:
    """The reports (双报到, member side) that count for the place: to a community inside it, or placing the
    member in a grid branch inside it (a grid's own members)."""
    return _open_reports(as_of).filter(within(place, "community") | within(place, "grid_branch__place"))


def dual_reported_members(place, *, as_of: datetime.date | None = None) -> QuerySet:
    """在职党员双报到: the distinct people with a report that counts for the place (`member_reports_to`)."""
    return Person.objects.filter(pk__in=member_reports_to(place, as_of=as_of).values("membership__person"))


def report_state_counts(*, community=None, organisation=None) -> dict[str, int]:
    """Distinct members by the state of their report today — reported (waiting to be placed) and placed —
    of the reports that count for a place (`member_reports_to`), or of a unit's members."""
    if community is not None:
        reports = member_reports_to(community)
    else:
        reports = _open_reports(None).filter(membership__party_organisation__organisation=organisation)
    counts = dict(reports.values_list("state").annotate(n=Count("membership__person", distinct=True))
                  .values_list("state", "n"))
    return {state: counts.get(state, 0) for state in OPEN_REPORT_STATES}


def community_branches(community) -> QuerySet:
    """The party branches under the community's party committee."""
    return PartyOrganisation.objects.filter(parent__place=community, parent__level="committee")


def community_party_members(community, *, as_of: datetime.date | None = None) -> QuerySet:
    """社区党组织党员: the distinct members of the community's party committee and of its branches (the
    community's own members, retired ones among them), joined on or before `as_of` or with no date — not the
    members who dual-reported to it from their units (`dual_reported_members`)."""
    organisations = PartyOrganisation.objects.filter(Q(place=community, level="committee")
                                                     | Q(parent__place=community, parent__level="committee"))
    memberships = PartyMembership.objects.filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=_day(as_of)), party_organisation__in=organisations)
    return Person.objects.filter(pk__in=memberships.values("person"))


def committee_of(community, *, as_of: datetime.date | None = None) -> QuerySet:
    """社工委委员: the community's committee seats taken on or before `as_of`."""
    return (CommitteeMember.objects.filter(community=community, since__lte=_day(as_of))
            .select_related("person", "organisation"))


def honours_of(*, place=None, organisation=None, as_of: datetime.date | None = None) -> QuerySet:
    """荣誉 awarded on or before `as_of`: to the place or a place inside it, or to the unit."""
    where = within(place, "place") if place is not None else Q(organisation=organisation)
    return Honour.objects.filter(where, awarded_on__lte=_day(as_of)).select_related("place")


def unit_members(organisation) -> QuerySet:
    """A unit's party members: the distinct people in any of its party organisations."""
    return Person.objects.filter(memberships__party_organisation__organisation=organisation).distinct()


# --- Lists for the community's staff ------------------------------------------------------------------

def reports_waiting(community, *, limit: int = 20):
    """Members who reported to the community and wait to be placed in a grid party branch (the reports
    report_state_counts counts as reported)."""
    return (member_reports_to(community).filter(state=MemberReportState.REPORTED)
            .select_related("membership__person", "membership__party_organisation__organisation", "community")
            .order_by("reported_on")[:limit])


def reports_recent(community, *, limit: int = 10):
    return (member_reports_to(community)
            .select_related("membership__person", "membership__party_organisation__organisation",
                            "grid_branch")
            .order_by("-reported_on", "-id")[:limit])


def party_organisations_in(place):
    """A community's party committee, its branches and its grid branches (by place)."""
    return PartyOrganisation.objects.filter(within(place, "place")).select_related("place")


def teams_of(community):
    return Team.objects.filter(community=community).annotate(member_count=Count("members"))


def api_tokens_of(user) -> QuerySet:
    """The account's own API tokens, newest first (the tokens page and GET /api/v1/auth/tokens). Nobody's
    list holds another's: a token of someone else is "not found" by its owner's pages, not "forbidden"."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
