"""Reads of organisations and people that pages, API and ledger share. People always pass through
`scopes.persons_visible_to`: a directory never lists anyone the viewer may not open."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from people import scopes
from people.models import (
    CommitteeMember,
    Honour,
    MemberReport,
    MemberReportState,
    Organisation,
    PartyMembership,
    PartyOrganisation,
    Person,
    Team,
)

OPEN_REPORT_STATES = (MemberReportState.REPORTED, MemberReportState.PLACED)


def organisation_list(*, q: str = "", kind: str = ""):
    qs = Organisation.objects.filter(Organisation.search_q(q)).select_related("place")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(branch_count=Count("party_organisations", distinct=True),
                       member_count=Count("party_organisations__memberships", distinct=True)).order_by("name")


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


def member_list(user, *, q: str = "", state: str = "", organisation=None, community=None):
    """Party members the user may see, with their branches and dual-reporting records."""
    qs = Person.objects.filter(Exists(PartyMembership.objects.filter(person=OuterRef("pk"))))
    if organisation is not None:
        qs = qs.filter(Exists(PartyMembership.objects.filter(
            person=OuterRef("pk"), party_organisation__organisation=organisation)))
    open_reports = MemberReport.objects.filter(membership__person=OuterRef("pk"), state__in=OPEN_REPORT_STATES)
    if community is not None:
        open_reports = open_reports.filter(community__code__startswith=community.code)
        qs = qs.filter(Exists(open_reports))
    if state in OPEN_REPORT_STATES:
        qs = qs.filter(Exists(open_reports.filter(state=state)))
    elif state == "not_reported":
        qs = qs.filter(~Exists(open_reports))
    qs = qs.filter(Person.search_q(q))
    return scopes.persons_visible_to(user, qs).prefetch_related(_memberships_prefetch())


def resident_list(user, *, q: str = "", place=None):
    qs = Person.objects.filter(is_resident=True).filter(Person.search_q(q))
    if place is not None:
        qs = qs.filter(home__code__startswith=place.code)
    # Two levels of parents: an entrance's label shows its building and compound without more queries.
    return scopes.persons_visible_to(user, qs).select_related("home__parent__parent")


def reports_waiting(community, *, limit: int = 20):
    """Members who reported to the community and wait to be placed in a grid party branch."""
    return (MemberReport.objects.filter(community__code__startswith=community.code,
                                        state=MemberReportState.REPORTED)
            .select_related("membership__person", "membership__party_organisation__organisation", "community")
            .order_by("reported_on")[:limit])


def reports_recent(community, *, limit: int = 10):
    return (MemberReport.objects.filter(community__code__startswith=community.code)
            .exclude(state=MemberReportState.WITHDRAWN)
            .select_related("membership__person", "membership__party_organisation__organisation",
                            "grid_branch")
            .order_by("-reported_on", "-id")[:limit])


def report_state_counts(*, community=None, organisation=None) -> dict[str, int]:
    qs = MemberReport.objects.exclude(state=MemberReportState.WITHDRAWN)
    if community is not None:
        qs = qs.filter(community__code__startswith=community.code)
    if organisation is not None:
        qs = qs.filter(membership__party_organisation__organisation=organisation)
    counts = dict(qs.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return {state: counts.get(state, 0) for state in OPEN_REPORT_STATES}


def units_in(place) -> int:
    """Co-building units working in the place: an agreement with it (or a place inside it), or a party
    organisation that reported to one of its communities (双报到)."""
    return Organisation.objects.filter(
        Q(agreements__place__code__startswith=place.code)
        | Q(party_organisations__reports__community__code__startswith=place.code)).values("pk").distinct().count()


def party_organisations_in(place):
    """A community's party committee, its branches and its grid branches (by place)."""
    return PartyOrganisation.objects.filter(place__code__startswith=place.code).select_related("place")


def grid_branches_of(community):
    return PartyOrganisation.objects.filter(place__kind="grid", place__code__startswith=community.code)


def teams_of(community):
    return Team.objects.filter(community=community).annotate(member_count=Count("members"))


def committee_of(community):
    return CommitteeMember.objects.filter(community=community).select_related("person", "organisation")


def honours_of(*, place=None, organisation=None):
    return Honour.objects.filter(Q(place=place) if place else Q(organisation=organisation))
