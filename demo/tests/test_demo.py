"""The demo data set: the article's figures, counted from the records `load_demo` walks through the
services; a second run is a no-op; every demo account logs in.

The data set is loaded once for the module inside a transaction that is rolled back at the end, so the
other test modules never see it; each test runs in a savepoint inside that transaction.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import CharField, Count, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from core.events import events_verify
from core.models import Event, InboxLine
from demo import needs_data
from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from ledger.selectors import tally
from mediation.models import Agreement, BuildingPair, Dispute, Mediator, Party, Step
from meetings.models import Attendance, Body, Meeting, Member, Minutes, Resolution
from needs import workflow
from needs.models import Need, NeedReporter, ProgressNote, State
from needs.services import need_act
from needs.tasks import deadline_sweep
from offers import rules as offer_rules
from offers.models import Booking, Eligibility, Offer, Session
from people.models import (
    CoBuildingAgreement,
    CommitteeMember,
    Honour,
    MemberReport,
    Organisation,
    OrganisationReport,
    PartyMembership,
    PartyOrganisation,
    Person,
    RoleAssignment,
    Team,
    TeamMember,
)
from places.models import Coverage, Place
from sites.models import Item, Loan, Site, StockMovement
from volunteering import selectors as volunteering_selectors
from volunteering.models import (
    Activity,
    Certificate,
    HoursCorrection,
    RecordEntry,
    ServiceHours,
    Signup,
    Volunteer,
)

PASSWORD = "minsheng2021"


@pytest.fixture
def output(demo_db, db):
    return demo_db


def place(name, kind=None):
    return Place.objects.get(name=name, **({"kind": kind} if kind else {}))


def covered(kind):
    return Place.objects.filter(kind=kind, pk__in=Coverage.objects.filter(until__isnull=True).values("place")).count()


def test_it_has_28_co_building_units_each_with_a_reported_party_organisation(output):
    subdistrict = place("拱星墩街道")
    units = Organisation.objects.filter(agreements__place=subdistrict).distinct()
    assert units.count() == 28
    assert all(unit.party_organisations.exists() for unit in units)
    branches = PartyOrganisation.objects.filter(organisation__in=units)
    assert branches.count() == 29  # 中电万维 has two branches: one unit, two branches
    assert not branches.filter(reports__isnull=True).exists()
    assert set(OrganisationReport.objects.values_list("community__kind", flat=True)) == {"community"}
    assert set(Organisation.objects.get(name="中电万维").party_organisations.values_list("name", flat=True)) == {
        "中电万维计算及安全事业部党支部", "中电万维智慧城市事业部党支部"}
    kinds = dict(units.values_list("name", "kind"))
    assert kinds["东湖物业"] == "property_company"
    assert kinds["兰州市城关区爱心驿站公益协会"] == "social_organisation"
    assert kinds["大桥出租车公司"] == "non_public_enterprise"
    assert kinds["兰州市教育局"] == "government_department"
    assert {"兰州电影制片厂", "天庆嘉园小区"} <= set(kinds)
    assert CoBuildingAgreement.objects.exclude(organisation__in=units).count() == 0


def test_it_has_614_in_service_members_dual_reported_and_placed_where_they_live(output):
    memberships = PartyMembership.objects.filter(in_service=True).select_related("person__home")
    assert memberships.count() == 614
    assert memberships.values("person").distinct().count() == 614
    assert not memberships.filter(party_organisation__organisation__agreements__isnull=True).exists()
    reports = {r.membership_id: r for r in MemberReport.objects.filter(state="placed")
               .select_related("community", "grid_branch__place")}
    for membership in memberships:
        report = reports[membership.pk]
        home = membership.person.home.code
        assert home.startswith(report.community.code) and report.community.kind == "community"
        assert report.grid_branch.place.kind == "grid" and home.startswith(report.grid_branch.place.code)
    phones = list(Person.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) and all(len(p) == 11 and p.startswith("1") for p in phones)


def test_it_covers_20_grids_33_compounds_14_courtyards_and_17_unit_sites(output):
    assert (covered("grid"), covered("compound"), covered("courtyard"), covered("unit_site")) == (20, 33, 14, 17)
    # Some places exist that nobody covers: the figures count coverage, not places.
    assert Place.objects.filter(kind="grid").count() > 20
    assert Coverage.objects.filter(person__isnull=False).exists()
    assert Coverage.objects.filter(organisation__isnull=False).exists()
    for name in ("东湖小区", "天庆嘉园A区", "天庆嘉园B区", "天庆嘉园C区"):
        assert place(name, "compound").coverages.exists()
    donghu = place("东湖小区")
    assert donghu.code.startswith(place("五里铺西社区").code)
    entrance = Place.objects.get(kind="entrance", name="4号楼3单元", code__startswith=donghu.code)
    assert entrance.parent.name == "4号楼" and entrance.parent.parent == donghu


def test_it_has_every_community_with_a_committee_and_a_branch_per_grid(output):
    communities = Place.objects.filter(kind="community")
    names = set(communities.values_list("name", flat=True))
    assert {"段家滩东社区", "五里铺西社区", "五里铺东社区", "天庆嘉园社区"} <= names
    for community in communities:
        committee = PartyOrganisation.objects.get(place=community, level="committee")
        grids = Place.objects.filter(kind="grid", parent=community)
        assert grids.exists()
        for grid in grids:
            assert PartyOrganisation.objects.get(place=grid, level="branch").parent == committee
        assert Person.objects.filter(is_resident=True, home__code__startswith=community.code).exclude(room="") \
            .count() >= 40


def test_it_registers_11_stations_17_facilities_and_15_micro_positions(output):
    counts = dict(Site.objects.values_list("kind").annotate(n=Count("pk")))
    assert counts == {"station": 11, "facility": 17, "micro_position": 15}
    assert not Site.objects.filter(operator__isnull=True).exists()
    assert not Site.objects.filter(opening_hours="").exists()
    corridor = Site.objects.get(name="天庆嘉园社区党建文化长廊")
    assert corridor.kind == "micro_position" and corridor.place == place("天庆嘉园A区")
    assert "东门" in corridor.description


def test_it_builds_tianqing_jiayuan_as_the_article_describes_it(output):
    tqjy = place("天庆嘉园社区", "community")
    assert (tqjy.area_km2, tqjy.buildings, tqjy.households, tqjy.residents) == (Decimal("0.45"), 52, 2465, 7792)
    buildings = Place.objects.filter(kind="building", code__startswith=tqjy.code)
    assert buildings.count() == 52
    assert set(buildings.values_list("parent__name", flat=True)) == {"天庆嘉园A区", "天庆嘉园B区", "天庆嘉园C区"}

    committee = PartyOrganisation.objects.get(name="天庆嘉园社区党委")
    assert committee.children.count() == 4
    members = PartyMembership.objects.filter(party_organisation__parent=committee)
    assert members.count() == 226 and members.values("person").distinct().count() == 226
    assert not members.filter(in_service=True).exists()
    assert not members.exclude(person__home__code__startswith=tqjy.code).exists()

    guard = Team.objects.get(name="红色长城护卫队")
    assert (guard.community, guard.founded_on) == (tqjy, datetime.date(2021, 6, 1))
    assert guard.members.count() == 27
    assert guard.members.filter(person__memberships__party_organisation__parent=committee).count() + \
        guard.members.filter(person__skills__contains="退役军人").count() == 27

    seats = CommitteeMember.objects.filter(community=tqjy)
    assert seats.count() == 15 and set(seats.values_list("since", flat=True)) == {datetime.date(2021, 9, 10)}
    ge = seats.get(person__name="葛修琼")
    assert ge.organisation.name == "兰州市城关区爱心驿站公益协会"
    assert seats.filter(organisation__name="天庆嘉园小区", person__isnull=True).exists()
    represented = set(seats.values_list("represents", flat=True))
    assert {"社区党委", "居委会", "人大代表", "政协委员", "退役军人", "驻区单位"} <= represented

    assert list(Honour.objects.filter(place=tqjy).order_by("awarded_on")
                .values_list("awarded_on", "title", "awarded_by")) == [
        (datetime.date(2010, 4, 1), "党建工作示范社区", "兰州市委"),
        (datetime.date(2010, 5, 1), "全国五四红旗团支部", "共青团中央"),
        (datetime.date(2012, 6, 1), "全国科普示范社区", "中国科协、财政部"),
        (datetime.date(2015, 2, 1), "全国文明单位", "中央精神文明建设指导委员会"),
        (datetime.date(2021, 6, 1), "城关区先进基层党组织", "中共兰州市城关区委"),
    ]
    teams = dict(Team.objects.values_list("name", "community__name"))
    assert teams["红马甲解答队"] == "段家滩东社区"
    assert teams["家园帮扶队"] == teams["小志愿者"] == "天庆嘉园社区"
    assert Person.objects.get(name="高先生").home.code.startswith(tqjy.code)


def test_it_prints_the_logins_and_the_figures(output):
    for text in ("jiedao", "tqjy", "wlpx", "wangge", "dianying", "dangyuan", "jumin", "shegongwei", PASSWORD):
        assert text in output
    assert "614" in output and "226" in output
    figures = {line.rsplit(maxsplit=1)[0]: line.rsplit(maxsplit=1)[1] for line in output.splitlines()
               if line.startswith("拱星墩街道 · ")}
    assert [figures[f"拱星墩街道 · {label}"] for label in ("发现需求", "已认领", "已办结")] == ["26", "26", "16"]


def test_it_creates_nothing_on_a_second_run(output):
    models = (Event, Place, Coverage, Organisation, PartyOrganisation, CoBuildingAgreement, OrganisationReport,
              Person, PartyMembership, MemberReport, Team, TeamMember, CommitteeMember, Honour, Site,
              RoleAssignment, User, Need, NeedReporter, ProgressNote, InboxLine, Offer, Session, Booking,
              Eligibility, Item, StockMovement, Loan, Activity, Volunteer, Signup, ServiceHours, HoursCorrection,
              RecordEntry, Certificate, Body, Member, Meeting, Attendance, Minutes, Resolution,
              BuildingPair, Dispute, Party, Mediator, Step, Agreement)
    before = {m: m.objects.count() for m in models}
    last_event = Event.objects.order_by("-id").values_list("pk", flat=True).first()
    call_command("load_demo", stdout=io.StringIO())
    assert {m: m.objects.count() for m in models} == before
    assert Event.objects.order_by("-id").values_list("pk", flat=True).first() == last_event


def test_it_writes_every_record_through_the_event_chain(output):
    checked, broken = events_verify()
    assert broken is None and checked == Event.objects.count()
    assert Event.objects.filter(verb="member_place").count() == 614
    assert Event.objects.filter(verb="coverage_create").count() == Coverage.objects.count()


def test_every_record_with_a_lifecycle_matches_its_events(output):
    """`verify_events --state` over the whole demo: each need's, booking's, dispute's, meeting's, resolution's,
    sign-up's and loan's events replay to its row; a direct edit of a row is then reported with the record and the
    field."""
    out = io.StringIO()
    call_command("verify_events", state=True, stdout=out)
    checked = ("mediation.dispute, meetings.meeting, meetings.resolution, needs.need, offers.booking, sites.loan, "
               "volunteering.signup")
    assert f"全部记录与其事件一致（{checked}）" in out.getvalue()
    need = Need.objects.filter(state=State.CLOSED).exclude(rating="").first()
    Need.objects.filter(pk=need.pk).update(rating="very_satisfied" if need.rating != "very_satisfied" else "satisfied")
    with pytest.raises(CommandError, match=r"1 处记录与其事件不符（needs.need 1）"):
        call_command("verify_events", state=True, stdout=out)
    assert f"needs.need#{need.pk} rating: 记录 row" in out.getvalue()


ACCOUNTS = {
    "jiedao": ("subdistrict_admin", "拱星墩街道"),
    "tqjy": ("community_staff", "天庆嘉园社区"),
    "wlpx": ("community_staff", "五里铺西社区"),
    "wangge": ("grid_worker", "天庆嘉园第一网格"),
    "dianying": ("unit_admin", "兰州电影制片厂"),
    "dangyuan": ("party_member", None),
    "jumin": ("resident", None),
    "shegongwei": ("committee_member", "天庆嘉园社区"),
    "laoren": ("resident", None),
    "louzhang": ("resident", None),
}


def test_it_grants_one_demo_account_per_role(output):
    for username, (role, scope) in ACCOUNTS.items():
        assignment = RoleAssignment.objects.get(user__username=username)
        target = assignment.place or assignment.organisation
        assert (assignment.role, target.name if target else None) == (role, scope)
    assert Person.objects.get(user__username="jumin").name == "高先生"
    assert Person.objects.get(user__username="shegongwei").name == "葛修琼"
    dangyuan = Person.objects.get(user__username="dangyuan")
    assert dangyuan.memberships.get().reports.get().state == "placed"
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.parametrize("username", ["admin", *ACCOUNTS])
def test_it_lets_every_demo_account_log_in(output, client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


NOT_FOUND = (State.REJECTED, State.MERGED)


def needs_figures(place: Place, start: datetime.datetime, end: datetime.datetime) -> dict[str, int]:
    """Needs found, claimed and resolved in `place` (and the places inside it) in [start, end).

    - found: accepted in the period (Need.accepted_at, the time of its accept event) and not rejected or
      merged now. A need escalated and then rejected by the subdistrict, or merged into an earlier need
      after it was accepted, is not found: the earlier need carries its reporters.
    - claimed: not rejected or merged, and claimed (接单) or dispatched (派单) in the period (a need.claim
      or need.dispatch event). A need returned to the board and claimed again counts once.
    - resolved: resolved, or closed after being resolved (state resolved or closed), and its latest
      resolution (Need.resolved_at) is in the period. A need reopened after an unsatisfied grade is not
      resolved until it is resolved again, then counts once, in the period of that resolution.

    Rejected and merged needs are closed without being found; open, escalated and overdue needs are found
    (if accepted) and claimed (if ever claimed or dispatched) like any other.

    A second opinion, counting events in the period, beside the ledger's (ledger.selectors: the needs found
    in the period as they stand now). The demo is built so both give 26 / 26 / 16 for 2021: every 2021 need
    was claimed, and resolved if at all, in 2021, and the ten still open stay with their holders.
    """
    inside = Need.objects.filter(place__code__startswith=place.code).exclude(state__in=NOT_FOUND)
    taken = Event.objects.filter(subject_type="needs.need", subject_id=Cast(OuterRef("pk"), CharField()),
                                 verb__in=("need.claim", "need.dispatch"), at__gte=start, at__lt=end)
    return {
        "found": inside.filter(accepted_at__gte=start, accepted_at__lt=end).count(),
        "claimed": inside.filter(Exists(taken)).count(),
        "resolved": inside.filter(state__in=(State.RESOLVED, State.CLOSED), resolved_at__gte=start,
                                  resolved_at__lt=end).count(),
    }


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    return datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)


# --- The needs loop --------------------------------------------------------------------------------------

def figures_2021():
    return needs_figures(place("拱星墩街道"), *year_bounds(2021))


def test_it_finds_26_claims_26_and_resolves_16_needs_in_2021(output):
    assert figures_2021() == {"found": 26, "claimed": 26, "resolved": 16}
    # The ledger counts by its own definitions (the needs found in 2021 as they stand now): the same.
    ledger = tally(place("拱星墩街道"), periods.year(2021))
    assert (ledger["found"], ledger["claimed"], ledger["resolved"]) == (26, 26, 16)
    # The figures are counted, not stored: resolving one more 2021 need in 2021 makes 17, and one resolved
    # today counts in today's year.
    start, end = year_bounds(2021)
    open_2021 = Need.objects.filter(state=State.IN_PROGRESS, accepted_at__lt=end).order_by("id")
    first, second = open_2021[0], open_2021[1]
    need_act(actor=admin_of(first), need=first, action="resolve", note="已办结", evidence="验收单",
             at=datetime.datetime(2021, 12, 30, 16, tzinfo=start.tzinfo))
    need_act(actor=admin_of(second), need=second, action="resolve", note="已办结", evidence="验收单")
    assert figures_2021() == {"found": 26, "claimed": 26, "resolved": 17}


def test_it_keeps_the_2021_figures_when_the_deadline_sweep_runs(output):
    done = deadline_sweep()
    assert done["escalate"] == 0  # the open recent needs are within their deadlines
    assert figures_2021() == {"found": 26, "claimed": 26, "resolved": 16}
    # A week later everything recent has gone overdue or closed; 2021 is as it was.
    deadline_sweep(now=timezone.now() + datetime.timedelta(days=8))
    assert figures_2021() == {"found": 26, "claimed": 26, "resolved": 16}
    ledger = tally(place("拱星墩街道"), periods.year(2021))
    assert (ledger["found"], ledger["claimed"], ledger["resolved"]) == (26, 26, 16)


def admin_of(need):
    """The account that holds the need: the lead member's, or the lead unit's admin."""
    if need.lead_person_id:
        return need.lead_person.user
    return User.objects.get(role_assignments__role="unit_admin", role_assignments__organisation=need.lead_organisation)


def test_it_leaves_the_other_demo_needs_out_of_the_2021_figures(output):
    start, end = year_bounds(2021)
    in_2021 = Need.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    assert in_2021.count() == 28
    assert set(in_2021.filter(state__in=(State.REJECTED, State.MERGED)).values_list("state", flat=True)) == {
        State.REJECTED, State.MERGED}
    merged = Need.objects.get(state=State.MERGED)
    assert merged.merged_into.title == "东湖小区4号楼3单元加装电梯停滞"
    assert NeedReporter.objects.filter(need=merged.merged_into, person=merged.reporter).exists()
    # Every other demo need lives wholly after 2021: none of its events falls in 2021.
    later = Need.objects.filter(submitted_at__gte=end)
    assert later.count() == len(needs_data.OTHER_NEEDS) - 2
    assert not Event.objects.filter(subject_type="needs.need", subject_id__in=[str(pk) for pk in later.values_list(
        "pk", flat=True)], at__lt=end).exists()


def test_it_puts_the_articles_claimants_on_the_articles_cases(output):
    qa = Need.objects.get(title="老旧楼院加装电梯政策咨询")
    assert qa.lead_organisation.name == "兰州电影制片厂"
    assert list(qa.lead_organisation.party_organisations.values_list("name", flat=True)) == ["兰州电影制片厂党支部"]
    assert list(qa.collaborators.values_list("name", flat=True)) == ["中电万维"]
    assert set(qa.collaborators.get().party_organisations.values_list("name", flat=True)) == {
        "中电万维计算及安全事业部党支部", "中电万维智慧城市事业部党支部"}
    assert "计算及安全事业部党支部" in qa.resolution_note and "智慧城市事业部党支部" in qa.resolution_note
    assert qa.place.code.startswith(place("段家滩东社区").code)

    donghu = Need.objects.get(title="东湖小区4号楼3单元加装电梯停滞")
    assert (donghu.place.name, donghu.place.parent.parent.name) == ("4号楼3单元", "东湖小区")
    assert donghu.lead_organisation.name == "东湖物业"
    assert list(donghu.collaborators.values_list("name", flat=True)) == ["五里铺西社区居民委员会"]
    assert "花坛改造" in donghu.resolution_note and "超市补偿" in donghu.resolution_note
    assert donghu.rating == "very_satisfied" and not donghu.rated_by_follow_up

    enrolment = Need.objects.get(title="幼升小、小升初升学政策咨询")
    assert enrolment.lead_organisation.name == "兰州市教育局" and enrolment.category.name == "升学政策"
    assert "招生办" in enrolment.resolution_note

    rides = Need.objects.get(category__name="出行困难")
    assert rides.lead_organisation.name == "大桥出租车公司" and rides.place == place("五里铺东社区", "community")
    assert "24小时" in rides.resolution_note

    red_vests = Need.objects.filter(lead_person__team_memberships__team__name="红马甲解答队",
                                    category__name="加装电梯", state=State.CLOSED)
    assert red_vests.count() == 2
    assert all(n.place.code.startswith(place("段家滩东社区").code) for n in red_vests)


def test_it_spreads_the_2021_needs_over_communities_categories_channels_and_concern_levels(output):
    start, end = year_bounds(2021)
    found = Need.objects.filter(accepted_at__gte=start, accepted_at__lt=end)
    communities = {code[:12] for code in found.values_list("place__code", flat=True)}
    assert communities == set(Place.objects.filter(kind="community").values_list("code", flat=True))
    assert {"加装电梯", "环境卫生", "交通秩序", "升学政策", "出行困难", "设施维修", "邻里纠纷", "养老服务"} <= set(
        found.values_list("category__name", flat=True))
    assert {"field_visit", "council", "online", "walk_in", "hotline"} <= set(found.values_list("channel", flat=True))
    assert set(found.values_list("concern_level", flat=True)) == {"annoyance", "worry", "anguish"}
    resolved = found.filter(state=State.CLOSED)
    assert {"very_satisfied", "satisfied", "fairly_satisfied"} <= set(resolved.values_list("rating", flat=True))
    assert resolved.filter(rated_by_follow_up=True).exists() and resolved.filter(rated_by_follow_up=False,
                                                                                 rating="satisfied").exists()
    assert resolved.filter(rating="").count() == 2  # one verified by staff, one closed as not rated
    assert found.filter(is_public=False).count() == 2  # disputes: dispatched, never on the public board
    reopened = Event.objects.filter(verb="need.reopen").values_list("subject_id", flat=True)
    assert len(reopened) == 1 and resolved.filter(pk=int(reopened[0]), rating="satisfied").exists()


def test_it_gives_every_needs_page_something_to_show(output, client):
    assert Need.objects.filter(state=State.PUBLISHED, is_public=True).count() >= 3
    assert Need.objects.filter(state=State.SUBMITTED, reporter__user__username="jumin").exists()
    assert Need.objects.filter(state=State.ACCEPTED, place__code__startswith=place("天庆嘉园社区").code).exists()
    assert Need.objects.filter(state=State.RESOLVED, reporter__user__username="jumin", rating="").exists()
    assert Need.objects.filter(state=State.ESCALATED, overdue=False).exists()  # waiting for the subdistrict
    assert Need.objects.filter(state=State.ESCALATED, overdue=True).exists()  # raised by the deadline sweep
    department = Need.objects.filter(level="department")
    assert department.filter(reported_in_at__isnull=False, state=State.IN_PROGRESS).exists()
    assert department.filter(reported_in_at__isnull=True, overdue=True).exists()
    assert Event.objects.filter(verb="need.return").exists()
    assert Need.objects.filter(state=State.IN_PROGRESS, overdue=True).count() == 10

    assert client.get(reverse("needs:board")).status_code == 200
    deed = Need.objects.get(title="东湖小区4号楼3单元加装电梯停滞")
    page = client.get(reverse("needs:detail", args=[deed.pk])).content.decode()
    assert "东湖物业" in page and deed.reporter.name not in page and deed.reporter.phone not in page
    client.force_login(User.objects.get(username="jiedao"))
    triage = client.get(reverse("needs:triage")).content.decode()
    assert "五里铺东苑地下室长期积水" in triage


def test_it_gives_every_demo_need_a_legal_history_in_time_order(output):
    events = Event.objects.filter(subject_type="needs.need").order_by("id")
    assert [e.at for e in events] == sorted(e.at for e in events)
    history: dict[str, list[Event]] = {}
    for event in events:
        history.setdefault(event.subject_id, []).append(event)
    for need in Need.objects.all():
        state = workflow.NEW
        for event in history[str(need.pk)]:
            action = event.verb.removeprefix("need.")
            assert (event.data["from"] or "", event.data["to"]) == (state, workflow.next_state(state, action)), (
                need.title, action)
            state = event.data["to"]
        assert state == need.state, need.title


def test_it_acts_as_the_roles_the_workflow_names(output):
    roles = {}
    for username, role in RoleAssignment.objects.values_list("user__username", "role"):
        roles.setdefault(username, set()).add(role)
    acted = Event.objects.filter(subject_type="needs.need").values_list("verb", "actor__username").distinct()
    expected = {"accept": {"community_staff"}, "publish": {"community_staff"}, "claim": {"unit_admin", "party_member"},
                "rate": {"resident"}, "follow_up": {"grid_worker", "community_staff"}, "report_in": {"unit_admin"}}
    for verb, username in acted:
        allowed = expected.get(verb.removeprefix("need."))
        if allowed:
            assert roles[username] & allowed, (verb, username)
    assert ("need.dispatch", "jiedao") in set(acted) and ("need.escalate", "minsheng-system") in set(acted)


def test_it_lets_every_needs_walk_account_log_in(output, client):
    for username, role, scope, _who in needs_data.NEEDS_ACCOUNTS:
        assignment = RoleAssignment.objects.get(user__username=username)
        target = assignment.place or assignment.organisation
        assert (assignment.role, target.name if target else None) == (role, scope)
        assert Person.objects.filter(user__username=username).count() == 1
    response = client.post(reverse("login"), {"username": "donghu", "password": PASSWORD})
    assert response.status_code == 302


# --- Offers, bookings and stations (demo.offers, demo.stations) ------------------------------------------

def rides_2021():
    start, end = year_bounds(2021)
    return Booking.objects.filter(session__offer__organisation__name="大桥出租车公司", session__starts_at__gte=start,
                                  session__starts_at__lt=end)


def test_it_lists_the_taxi_companys_free_rides_with_the_articles_rules(output):
    offer = Offer.objects.get(organisation__name="大桥出租车公司")
    assert (offer.kind, offer.min_notice_hours, offer.confirmation, offer.is_published) == (
        "transport", 24, "automatic", True)
    assert list(offer.communities.values_list("name", flat=True)) == ["五里铺东社区"]
    assert set(offer.eligibility) == {"disabled", "mobility"} and offer.residents_only
    # Recurring weekday slots, each its own session, from the day after the need was resolved.
    start, end = year_bounds(2021)
    slots = Session.objects.filter(offer=offer, starts_at__gte=start, starts_at__lt=end)
    assert {timezone.localtime(s.starts_at).weekday() for s in slots} == {0, 1, 2, 3, 4}
    assert timezone.localtime(slots.first().starts_at).date() == datetime.date(2021, 7, 13)
    assert Session.objects.filter(offer=offer, starts_at__gt=timezone.now()).exists()  # bookable now
    states = dict(rides_2021().values_list("state").annotate(n=Count("pk")))
    assert states["fulfilled"] >= 60 and 0 < states["no_show"] < states["fulfilled"] / 5 and states["cancelled"] > 0
    assert set(states) == {"fulfilled", "no_show", "cancelled"}  # every 2021 ride has ended
    # Every ride through the workflow: booked at least 24 hours ahead, each step an event by the roles.
    for booking in rides_2021().select_related("session")[:40]:
        assert booking.created_at <= booking.session.starts_at - datetime.timedelta(hours=24)
    verbs = dict(Event.objects.filter(verb__startswith="booking.", subject_id__in=[
        str(pk) for pk in rides_2021().values_list("pk", flat=True)]).values_list("verb").annotate(n=Count("pk")))
    assert verbs["booking.fulfil"] == states["fulfilled"] and verbs["booking.request"] == sum(states.values())
    fulfillers = set(Event.objects.filter(verb="booking.fulfil").values_list("actor__username", flat=True))
    assert "daqiao" in fulfillers


def test_laoren_is_an_eligible_elderly_resident_of_wulipu_east_with_rides(output, client):
    laoren = Person.objects.get(user__username="laoren")
    assert laoren.home.code.startswith(place("五里铺东社区", "community").code) and laoren.is_resident
    eligibility = Eligibility.objects.filter(person=laoren)
    assert set(eligibility.values_list("group", flat=True)) == {"elderly", "mobility"}
    assert set(eligibility.values_list("recorded_by__username", flat=True)) == {"wlpd"}
    rides = rides_2021().filter(person=laoren)
    assert rides.filter(state="fulfilled").count() >= 5
    upcoming = Booking.objects.get(person=laoren, session__starts_at__gt=timezone.now())
    assert upcoming.state == "confirmed" and upcoming.booked_by.username == "laoren"
    # He may book another slot at least 24 hours ahead, and not one sooner.
    offer = upcoming.session.offer
    now = timezone.now()
    later = Session.objects.filter(offer=offer, starts_at__gte=now + datetime.timedelta(hours=25)).exclude(
        pk=upcoming.session_id).first()
    assert offer_rules.booking_refusal(offer=offer, session=later, person=laoren, at=now) is None
    soon = Session.objects.filter(offer=offer, starts_at__gt=now, starts_at__lt=now + datetime.timedelta(hours=23))
    for session in soon:
        assert "24" in offer_rules.booking_refusal(offer=offer, session=session, person=laoren, at=now)
    response = client.post(reverse("login"), {"username": "laoren", "password": PASSWORD})
    assert response.status_code == 302


def test_it_lists_the_enrolment_qa_and_the_non_public_units_deeds(output):
    qa = Offer.objects.get(organisation__name="兰州市教育局")
    assert qa.kind == "consultation" and "城关区教育局招生办" in qa.description and "升学政策" in qa.name
    assert qa.communities.count() == Place.objects.filter(kind="community").count()
    session = qa.sessions.order_by("starts_at").first()
    assert timezone.localtime(session.starts_at).date() == datetime.date(2021, 6, 26)
    assert session.bookings.filter(state="fulfilled").exists()
    deeds = dict(Offer.objects.filter(organisation__kind__in=("non_public_enterprise", "social_organisation"))
                 .values_list("kind", "organisation__name"))
    assert {"donation", "clinic", "training", "lecture", "transport"} <= set(deeds)
    assert not Offer.objects.get(kind="donation").bookable


def test_the_stations_keep_the_articles_items_with_a_2021_history(output):
    stations = Site.objects.filter(kind="station")
    assert stations.count() == 11 and not stations.filter(items__isnull=True).exists()
    article = {"免洗洗手液", "创可贴", "雨伞", "针线", "血压计", "急救包"}
    assert set(Item.objects.values_list("name", flat=True)) == article
    full = Item.objects.filter(site__name="天庆嘉园便民驿站")
    assert full.count() == 6 and set(full.values_list("kind", flat=True)) == {"consumable", "lendable"}
    start, end = year_bounds(2021)
    given = StockMovement.objects.filter(kind="given_out", at__gte=start, at__lt=end)
    assert given.count() >= 100 and StockMovement.objects.filter(kind="received", at__gt=start).exists()
    assert not Item.objects.filter(stock__lt=0).exists()
    loans = Loan.objects.filter(lent_at__gte=start, lent_at__lt=end)
    assert loans.count() >= 50 and loans.filter(returned_at__isnull=True, lost_at__isnull=True).count() == 0
    assert loans.filter(lost_at__isnull=False).count() == 1
    umbrellas = loans.filter(item__name="雨伞")
    assert umbrellas.filter(lent_at__month=8).count() > umbrellas.filter(lent_at__month=11).count()  # rainy summer
    assert Loan.objects.filter(returned_at__isnull=True, lost_at__isnull=True, lent_at__gte=end).exists()  # out now


def test_the_ledger_of_wulipu_east_for_2021_shows_the_rides_fulfilled(output, client):
    wlpd = place("五里铺东社区", "community")
    figures = figures_by_key(ledger_build(wlpd, periods.year(2021), public=True))
    fulfilled = rides_2021().filter(state="fulfilled", person__home__code__startswith=wlpd.code).count()
    assert fulfilled >= 60 and figures["bookings_fulfilled"] >= fulfilled
    assert figures["residents_served"] >= 21 and 0 < figures["no_show_rate"] < 0.2
    assert figures["items_lent"] > 0 and figures["station_uses"] > 0  # its station lends umbrellas, first-aid kits
    page = client.get(reverse("ledger:public", args=[wlpd.code]), {"period": "2021"}).content.decode()
    assert f'<span class="n">{figures["bookings_fulfilled"]}</span><span class="l">已完成预约</span>' in page
    assert "大桥出租车公司" in page and "马占福" not in page


def test_the_teams_members_are_volunteers_with_2021_hours(output):
    for name, members in (("红色长城护卫队", 27), ("红马甲解答队", 10), ("家园帮扶队", 10), ("小志愿者", 10)):
        team = Team.objects.get(name=name)
        assert team.members.count() == members
        assert Volunteer.objects.filter(person__team_memberships__team=team).count() == members
        assert ServiceHours.objects.filter(activity__team=team, state="certified").exists(), name
    guard = Activity.objects.filter(team__name="红色长城护卫队")
    assert {"epidemic", "flood", "fire"} <= set(guard.values_list("kind", flat=True))
    assert timezone.localtime(guard.order_by("starts_at").first().starts_at).date() >= datetime.date(2021, 6, 1)
    assert Activity.objects.filter(team__name="红马甲解答队", kind="consultation", name__contains="电梯").count() >= 6
    traffic = Activity.objects.filter(kind="traffic")
    assert traffic.count() >= 8 and ServiceHours.objects.filter(activity__kind="traffic").values(
        "volunteer").distinct().count() >= 80  # nearly a hundred volunteers
    assert Activity.objects.filter(team__name="小志愿者").exists()
    # Everything in 2021 went through sign-up and check-in; hours never exceed the activity's duration.
    start, end = year_bounds(2021)
    entries = ServiceHours.objects.filter(activity__starts_at__gte=start, activity__starts_at__lt=end)
    assert entries.filter(state="certified").count() >= 500
    for entry in entries.select_related("activity")[:200]:
        assert entry.hours * 3600 <= Decimal((entry.activity.ends_at - entry.activity.starts_at).total_seconds())
        assert Signup.objects.get(activity=entry.activity, volunteer=entry.volunteer).checked_in_at is not None
    assert HoursCorrection.objects.count() >= 3 and not HoursCorrection.objects.filter(reason="").exists()
    assert Event.objects.filter(verb="hours_correct").count() == HoursCorrection.objects.count()
    assert Event.objects.filter(verb="hours_certify").count() >= entries.filter(state="certified").count()


def test_the_saturday_clean_up_is_a_weekly_series(output):
    start, end = year_bounds(2021)
    saturdays = Activity.objects.filter(name="卫生环境集中整治和垃圾分类宣传", starts_at__gte=start, starts_at__lt=end)
    first = saturdays.filter(series__isnull=True).get()
    assert saturdays.count() >= 28 and saturdays.exclude(pk=first.pk).filter(series=first).count() == \
        saturdays.count() - 1
    assert {timezone.localtime(a.starts_at).weekday() for a in saturdays} == {5}
    assert saturdays.filter(is_cancelled=True).count() == 1
    assert not ServiceHours.objects.filter(activity__is_cancelled=True).exists()


def test_a_volunteer_past_100_hours_has_a_certificate_that_verifies(output):
    certificate = Certificate.objects.get()
    volunteer = certificate.volunteer
    assert volunteer.person.team_memberships.get().team.name == "红色长城护卫队"
    hours = volunteering_selectors.hours_total(volunteer, datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    assert certificate.hours == hours > 100 and volunteering_selectors.star_level(hours) == 1
    assert certificate.issuer.name == "天庆嘉园社区居民委员会" and certificate.person_in_charge
    assert volunteering_selectors.certificate_verify(certificate.number) == certificate
    altered = certificate.number[:-1] + ("A" if certificate.number[-1] != "A" else "B")
    assert volunteering_selectors.certificate_verify(altered) is None
    assert RecordEntry.objects.filter(volunteer=volunteer, kind="commendation").exists()
    stars = [v for v in Volunteer.objects.filter(hours__state="certified").distinct()
             if volunteering_selectors.star_level(volunteering_selectors.hours_total(v)) >= 1]
    assert len(stars) >= 2  # one more past 100 hours, with a star level on their page


def test_dangyuan_is_a_volunteer_with_hours_and_the_coming_saturday_has_places(output, client):
    dangyuan = User.objects.get(username="dangyuan")
    volunteer = volunteering_selectors.volunteer_of(dangyuan)
    assert volunteer is not None and volunteering_selectors.hours_total(volunteer) > 0
    assert Signup.objects.filter(volunteer=volunteer, checked_in_at__isnull=False).exists()
    assert Event.objects.filter(verb="checkin", actor=dangyuan, data__by="code").exists()  # he scanned the QR code
    assert Event.objects.filter(verb="hours_query", actor=dangyuan).exists()
    assert volunteering_selectors.volunteer_of(User.objects.get(username="jumin")) is None  # a new volunteer to be
    coming = volunteering_selectors.with_counts(volunteering_selectors.activities_upcoming(
        place=place("天庆嘉园社区", "community"), kind="clean_up"))
    first = coming.first()
    assert first is not None and timezone.localtime(first.starts_at).weekday() == 5
    assert first.starts_at - timezone.now() <= datetime.timedelta(days=7)
    assert volunteering_selectors.free_places(first) > 0 and first.series is None and coming.count() >= 4
    assert not Signup.objects.filter(activity__in=coming, volunteer=volunteer).exists()


def test_the_ledger_of_tianqing_jiayuan_for_2021_shows_the_hours(output, client):
    tqjy = place("天庆嘉园社区", "community")
    figures = figures_by_key(ledger_build(tqjy, periods.year(2021), public=True))
    start, end = year_bounds(2021)
    hours = sum(ServiceHours.objects.filter(activity__place__code__startswith=tqjy.code, state="certified",
                                            activity__ends_at__gte=start, activity__ends_at__lt=end)
                .values_list("hours", flat=True))
    assert figures["hours_served"] == float(hours) > 1000
    assert figures["activities_held"] >= 50 and figures["volunteers_active"] >= 50
    page = client.get(reverse("ledger:public", args=[tqjy.code]), {"period": "2021"}).content.decode()
    assert f'<span class="n">{figures["hours_served"]:g} 小时</span><span class="l">志愿服务时长</span>' in page
    assert "红色长城护卫队" in page  # the teams, by name; no volunteer named
    leader = Certificate.objects.get().volunteer.person
    assert leader.name not in page


def test_the_committee_was_founded_at_its_first_meeting_with_its_15_members(output, client):
    tqjy = place("天庆嘉园社区", "community")
    body = Body.objects.get(kind="committee", place=tqjy)
    assert body.founded_on == datetime.date(2021, 9, 10)
    seats = CommitteeMember.objects.filter(community=tqjy)
    assert body.members.filter(seat__isnull=False).count() == 15 == seats.count()
    meeting = body.meetings.get()
    assert timezone.localtime(meeting.starts_at).date() == datetime.date(2021, 9, 10) and meeting.state == "held"
    assert meeting.attendances.count() == 15 == meeting.attendances.filter(presence="present").count()
    assert meeting.minutes.get().state == "published"
    resolutions = list(meeting.resolutions.order_by("number"))
    assert resolutions[0].title == "通过《天庆嘉园社区社工委章程》"
    assert all(r.state == "adopted" and r.votes_for == 15 for r in resolutions)
    figures = figures_by_key(ledger_build(tqjy, periods.year(2021), public=True))
    assert figures["meetings_held"] >= 1 and figures["attendance_rate"] == 1.0
    assert (figures["resolutions_adopted"], figures["resolutions_done"]) == (3, 1)  # the charter is in force
    page = client.get(reverse("ledger:public", args=[tqjy.code]), {"period": "2021"}).content.decode()
    assert '<span class="n">1</span><span class="l">召开会议</span>' in page
    assert not [m.person.name for m in body.members.filter(person__isnull=False) if m.person.name in page]


def test_the_joint_meeting_of_2021_gathered_the_28_units(output):
    body = Body.objects.get(kind="joint", place=place("拱星墩街道"))
    units = Organisation.objects.filter(agreements__place=body.place).distinct()
    assert set(body.members.values_list("organisation", flat=True)) == set(units.values_list("pk", flat=True))
    meeting = body.meetings.get()
    assert timezone.localtime(meeting.starts_at).year == 2021
    assert meeting.attendances.filter(presence="present").count() == 28
    coverage = meeting.resolutions.get(number=1)
    assert coverage.done_at is not None and "网格20个、小区33个、楼院14个、单位17个" in coverage.done_note


def test_resident_councils_raised_the_2021_council_needs_and_link_back_to_them(output):
    raised = [n for n in needs_data.NEEDS_2021 if n["channel"] == "council"]
    assert raised
    for spec in raised:
        need = Need.objects.get(title=spec["title"])
        resolution = need.resolutions.get()
        meeting = resolution.meeting
        assert meeting.body.kind == "council" and need.place.code.startswith(meeting.body.place.code)
        assert resolution.state == "adopted" and meeting.state == "held"
        assert need.submitted_at - datetime.timedelta(days=2) < meeting.starts_at < need.submitted_at
    figures = figures_by_key(ledger_build(place("拱星墩街道"), periods.year(2021), public=True))
    assert figures["council_needs"] == len(raised)
    assert figures["council_needs_resolved"] == Need.objects.filter(
        title__in=[s["title"] for s in raised], state__in=workflow.DONE).count()
    assert figures["meetings_held"] == Meeting.objects.filter(state="held").count()
    assert figures["resolutions_adopted"] == Resolution.objects.filter(state="adopted").count()


def test_tianqing_jiayuans_buildings_each_have_a_head_and_a_manager_of_its_property_company(output):
    buildings = Place.objects.filter(kind="building", code__startswith=place("天庆嘉园社区", "community").code)
    pairs = BuildingPair.objects.filter(building__in=buildings)
    assert pairs.count() == buildings.count() == 52
    assert set(pairs.values_list("property_company__name", flat=True)) == {"天庆嘉园小区"}
    assert pairs.values("head").distinct().count() == 52  # one head per building, each living in the community
    assert all(p.head.home.code.startswith("620102010001") and p.manager for p in pairs.select_related("head__home"))
    louzhang = Person.objects.get(user__username="louzhang")
    own = pairs.get(head=louzhang)
    assert louzhang.home.code.startswith(own.building.code)
    assert CommitteeMember.objects.get(person=louzhang).represents == "楼院长"


def test_the_donghu_elevator_dispute_was_settled_in_the_community_and_followed_up(output):
    elevator = Dispute.objects.get(kind="elevator")
    assert elevator.place.name == "4号楼3单元" and elevator.place.code.startswith(place("东湖小区").code)
    assert (elevator.state, elevator.outcome, elevator.settled_level, elevator.performed) == (
        "closed", "agreement", "community", True)
    assert {m.user.username for m in elevator.mediators.filter(user__isnull=False)} == {"wlpx", "donghu"}
    assert "花坛" in elevator.agreement.terms and "超市" in elevator.agreement.terms
    assert [s.action for s in elevator.steps.order_by("at")] == [
        "receive", "assess", "mediate", "record", "record", "agree", "feed_back", "follow_up"]


def test_the_neighbour_dispute_needs_became_disputes_and_kept_their_states(output):
    for title, kind in (("天庆嘉园C区楼上漏水邻里纠纷", "leak"), ("天庆嘉园东侧家属院犬只夜间吠叫扰民", "pet")):
        need = Need.objects.get(title=title)
        assert need.state in workflow.DONE
        assert (need.dispute.kind, need.dispute.settled_level) == (kind, "building")
        assert need.dispute.mediators.filter(kind="help_team", team__name="家园帮扶队").exists()
    raised = Dispute.objects.get(kind="parking")
    assert raised.settled_level == "subdistrict"
    assert list(raised.steps.filter(action="escalate").values_list("level", flat=True)) == ["community", "subdistrict"]
    assert Dispute.objects.filter(recorded_by__username="louzhang", settled_level="building").exists()


def test_the_ledger_of_tianqing_jiayuan_for_2021_shows_the_share_settled_within_the_community(output, client):
    tqjy = place("天庆嘉园社区", "community")
    start, end = year_bounds(2021)
    concluded = Dispute.objects.filter(place__code__startswith=tqjy.code, concluded_at__gte=start,
                                       concluded_at__lt=end).exclude(outcome="withdrawn")
    settled = concluded.filter(outcome="agreement", settled_level__in=("building", "community"))
    assert (settled.count(), concluded.count()) == (5, 6)  # the parking dispute was settled by the subdistrict
    figures = figures_by_key(ledger_build(tqjy, periods.year(2021), public=True))
    assert figures["community_settle_rate"] == round(settled.count() / concluded.count(), 4)
    assert figures["subdistrict_settle_rate"] == 1.0
    page = client.get(reverse("ledger:public", args=[tqjy.code]), {"period": "2021"}).content.decode()
    assert '<span class="n">83.3%</span><span class="l">社区内化解率</span>' in page
    names = {n for p in Party.objects.select_related("person") for n in (p.name, p.person and p.person.name) if n}
    assert not [n for n in names if n in page]
