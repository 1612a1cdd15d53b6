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
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse

from core.events import events_verify
from core.models import Event
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
from sites.models import Site

PASSWORD = "minsheng2021"
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHING):
        with transaction.atomic():
            out = io.StringIO()
            call_command("load_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


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


def test_it_creates_nothing_on_a_second_run(output):
    models = (Event, Place, Coverage, Organisation, PartyOrganisation, CoBuildingAgreement, OrganisationReport,
              Person, PartyMembership, MemberReport, Team, TeamMember, CommitteeMember, Honour, Site,
              RoleAssignment, User)
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


ACCOUNTS = {
    "jiedao": ("subdistrict_admin", "拱星墩街道"),
    "tqjy": ("community_staff", "天庆嘉园社区"),
    "wlpx": ("community_staff", "五里铺西社区"),
    "wangge": ("grid_worker", "天庆嘉园第一网格"),
    "dianying": ("unit_admin", "兰州电影制片厂"),
    "dangyuan": ("party_member", None),
    "jumin": ("resident", None),
    "shegongwei": ("committee_member", "天庆嘉园社区"),
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
