import datetime

import pytest
from django.urls import reverse

from people.models import MemberReportState, Person, PersonalDataAccess
from people.services import (
    member_report,
    membership_create,
    party_organisation_create,
    person_create,
)

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def member(root, tree, unit):
    """A party member of the film studio's branch who lives in 天庆嘉园 and reported there."""
    person = person_create(actor=root, name="李建国", phone=PHONE, home=tree["entrance"], room="302")
    membership = membership_create(actor=root, person=person, party_organisation=unit["branch"])
    report = member_report(actor=root, membership=membership, community=tree["tqjy"],
                           reported_on=datetime.date(2021, 5, 1))
    return {"person": person, "membership": membership, "report": report}


def login(client, user):
    client.force_login(user)
    return client


def test_it_lists_members_masked_for_the_community_staff(client, accounts, member):
    body = login(client, accounts["community_staff"]).get(reverse("people:members")).content.decode()
    assert "李**" in body and "139****5678" in body
    assert "李建国" not in body and PHONE not in body


def test_it_finds_members_by_pinyin_initials(client, accounts, member):
    client = login(client, accounts["community_staff"])
    assert "李**" in client.get(reverse("people:members"), {"q": "ljg"}).content.decode()
    assert "李**" not in client.get(reverse("people:members"), {"q": "zzz"}).content.decode()


def test_it_lists_only_members_in_the_viewers_scope(client, accounts, member):
    body = login(client, accounts["other_community_staff"]).get(reverse("people:members")).content.decode()
    assert "李**" not in body and "139****5678" not in body


def test_it_refuses_the_directories_to_residents_and_members(client, accounts):
    for role in ("resident", "party_member"):
        client = login(client, accounts[role])
        assert client.get(reverse("people:members")).status_code == 403
        assert client.get(reverse("people:residents")).status_code == 403


def test_it_lists_residents_masked(client, accounts, tree):
    body = login(client, accounts["grid_worker"]).get(reverse("people:residents")).content.decode()
    assert "139****0008" in body and "天庆嘉园A区 · 1号楼2单元" in body
    assert "13900000008" not in body


def test_it_shows_a_person_masked_by_default(client, accounts, member):
    body = login(client, accounts["community_staff"]).get(
        reverse("people:person", args=[member["person"].pk])).content.decode()
    assert "139****5678" in body and PHONE not in body and "302" not in body
    assert "兰州电影制片厂党支部" in body


def test_it_reveals_the_full_data_once_and_logs_it(client, accounts, member):
    response = login(client, accounts["community_staff"]).post(
        reverse("people:person", args=[member["person"].pk]))
    body = response.content.decode()
    assert response.status_code == 200 and PHONE in body and "李建国" in body and "302" in body
    access = PersonalDataAccess.objects.get()
    assert access.viewer == accounts["community_staff"] and access.person == member["person"]


def test_it_refuses_to_reveal_without_the_right(client, accounts, member, tree, root):
    # A committee member has no staff role: they cannot open the record (it is "not found"), let alone reveal it.
    response = login(client, accounts["committee_member"]).post(
        reverse("people:person", args=[member["person"].pk]))
    assert response.status_code == 404 and not PersonalDataAccess.objects.exists()


def test_it_forbids_another_communitys_staff_without_leaking_anything(client, accounts, member):
    client = login(client, accounts["other_community_staff"])
    response = client.get(reverse("people:person", args=[member["person"].pk]))
    body = response.content.decode()
    # Answered as a person who does not exist: the answer does not even tell that they are on record.
    missing = client.get(reverse("people:person", args=[999999]))
    assert response.status_code == missing.status_code == 404
    for leak in ("李", PHONE, "5678", "天庆嘉园", "302"):
        assert leak not in body


def test_it_lets_a_resident_open_only_their_own_record(client, accounts, member):
    client = login(client, accounts["resident"])
    own = Person.objects.get(user=accounts["resident"])
    assert client.get(reverse("people:person", args=[own.pk])).status_code == 200
    assert client.get(reverse("people:person", args=[member["person"].pk])).status_code == 404


def test_it_registers_a_person(client, accounts, tree):
    response = login(client, accounts["community_staff"]).post(reverse("people:person_create"), {
        "name": "王秀英", "gender": "F", "phone": "13700001111", "home": tree["entrance"].code, "room": "201",
        "is_resident": "on"})
    person = Person.objects.get(phone="13700001111")
    assert response.status_code == 302 and person.home == tree["entrance"] and person.is_resident


def test_it_shows_a_wrong_phone_in_chinese_and_creates_nothing(client, accounts, tree):
    response = login(client, accounts["community_staff"]).post(reverse("people:person_create"), {
        "name": "王秀英", "phone": "12345", "home": tree["entrance"].code})
    body = response.content.decode()
    assert response.status_code == 200 and "id_phone_error" in body and "不是电话号码" in body
    assert not Person.objects.filter(name="王秀英").exists()


def test_it_logs_opening_the_edit_form_and_saves_changes(client, accounts, member):
    client = login(client, accounts["community_staff"])
    url = reverse("people:person_update", args=[member["person"].pk])
    assert PHONE in client.get(url).content.decode()
    assert PersonalDataAccess.objects.count() == 1
    client.post(url, {"name": "李建国", "phone": "13912340000", "home": member["person"].home.code, "room": "302"})
    member["person"].refresh_from_db()
    assert member["person"].phone == "13912340000"


def test_it_places_a_reported_member_in_a_grid_branch(client, accounts, member, tree, root):
    committee = party_organisation_create(actor=root, level="committee", name="天庆嘉园社区党委", place=tree["tqjy"])
    grid_branch = party_organisation_create(actor=root, level="branch", name="天庆嘉园第一网格党支部",
                                            place=tree["grid1"], parent=committee)
    client = login(client, accounts["community_staff"])
    assert "李**" in client.get(reverse("home")).content.decode()
    client.post(reverse("people:member_place", args=[member["report"].pk]),
                {"grid_branch": grid_branch.pk, "placed_on": "2021-05-10"})
    member["report"].refresh_from_db()
    assert member["report"].state == MemberReportState.PLACED and member["report"].grid_branch == grid_branch


def test_it_records_a_members_dual_report(client, accounts, tree, unit, root):
    person = person_create(actor=root, name="赵敏", phone="13600002222", home=tree["entrance"])
    membership = membership_create(actor=root, person=person, party_organisation=unit["branch"])
    login(client, accounts["community_staff"]).post(reverse("people:member_report", args=[membership.pk]),
                                                    {"community": tree["tqjy"].pk, "reported_on": "2021-05-03"})
    assert membership.reports.get().community == tree["tqjy"]


def test_it_lists_organisations_to_anyone_logged_in_with_a_kind_filter(client, accounts, unit):
    client = login(client, accounts["resident"])
    body = client.get(reverse("people:organisations"), {"kind": "co_building_unit"}).content.decode()
    assert "兰州电影制片厂" in body
    body = client.get(reverse("people:organisations"), {"kind": "property_company"}).content.decode()
    assert "兰州电影制片厂" not in body


def test_it_shows_organisation_members_only_to_those_allowed(client, accounts, unit, member):
    url = reverse("people:organisation", args=[unit["organisation"].pk])
    assert "李**" in login(client, accounts["unit_admin"]).get(url).content.decode()
    body = login(client, accounts["resident"]).get(url).content.decode()
    assert "兰州电影制片厂党支部" in body and "李**" not in body


def test_it_lets_the_unit_admin_edit_their_unit(client, accounts, unit):
    url = reverse("people:organisation_update", args=[unit["organisation"].pk])
    login(client, accounts["unit_admin"]).post(url, {"kind": "co_building_unit", "name": "兰州电影制片厂",
                                                     "service_categories": "义诊"})
    unit["organisation"].refresh_from_db()
    assert unit["organisation"].service_categories == "义诊"
    assert login(client, accounts["other_community_staff"]).get(url).status_code == 403


@pytest.mark.parametrize("url_name", ["people:members", "people:residents", "people:organisations"])
def test_it_keeps_list_query_counts_constant(client, accounts, tree, unit, root, url_name,
                                              django_assert_max_num_queries):
    def add(start, n):
        for i in range(start, start + n):
            person = person_create(actor=root, name=f"党员{i}", phone=f"1380000{i:04}", home=tree["entrance"],
                                   is_resident=True)
            membership = membership_create(actor=root, person=person, party_organisation=unit["branch"])
            member_report(actor=root, membership=membership, community=tree["tqjy"],
                          reported_on=datetime.date(2021, 5, 1))

    client = login(client, accounts["community_staff"])
    add(0, 2)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse(url_name))
    add(2, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(url_name))
