"""The per-role home page."""

import datetime

import pytest
from django.urls import reverse

from people.services import member_report, membership_create, person_create, role_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(root, tree, unit):
    person = person_create(actor=root, name="李建国", phone="13912345678", home=tree["entrance"])
    membership = membership_create(actor=root, person=person, party_organisation=unit["branch"])
    member_report(actor=root, membership=membership, community=tree["tqjy"], reported_on=datetime.date(2021, 5, 1))
    return person


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_subdistrict_figures_to_the_subdistrict_admin(client, accounts, reported):
    body = home(client, accounts["subdistrict_admin"])
    assert "拱星墩街道" in body and "网格" in body and "便民驿站" in body


def test_it_shows_the_superuser_the_subdistrict_view(client, root, tree):
    assert "拱星墩街道" in home(client, root)


def test_it_shows_the_community_staff_their_community_and_who_waits(client, accounts, reported):
    body = home(client, accounts["community_staff"])
    assert "天庆嘉园社区" in body and "天庆嘉园第一网格" in body
    assert "李**" in body and "13912345678" not in body and "五里铺东社区" not in body


def test_it_shows_the_grid_worker_their_grid_and_residents(client, accounts):
    body = home(client, accounts["grid_worker"])
    assert "天庆嘉园第一网格" in body and "天庆嘉园A区" in body and "r*************" not in body


def test_it_shows_the_unit_admin_their_unit(client, accounts, reported):
    body = home(client, accounts["unit_admin"])
    assert "兰州电影制片厂" in body and "兰州电影制片厂党支部" in body


def test_it_shows_a_resident_their_home_and_profile(client, accounts):
    body = home(client, accounts["resident"])
    assert "1号楼2单元" in body and "resident用户" in body and "139****0008" in body


def test_it_shows_the_committee_member_their_committee(client, accounts, root, tree, today):
    from people.services import honour_add

    honour_add(actor=root, title="全国民主法治示范社区", awarded_on=today, awarded_by="司法部", place=tree["tqjy"])
    body = home(client, accounts["committee_member"])
    assert "全国民主法治示范社区" in body and "司法部" in body


def test_it_shows_every_section_of_a_user_with_several_roles(client, accounts, root, unit):
    role_grant(actor=root, user=accounts["community_staff"], role="unit_admin", organisation=unit["organisation"])
    body = home(client, accounts["community_staff"])
    assert "社区工作者" in body and "共建单位管理员" in body


def test_it_shows_a_visitor_the_public_home_with_what_the_public_can_do(client, tree):
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "反映问题" in body and "认领大厅" in body and "幸福账单" in body and "查询进度" in body
    assert 'action="/needs/track/"' in body and 'name="reference"' in body
    assert "社区工作者" not in body  # no role section


def test_the_menu_offers_bookings_and_volunteer_service_to_accounts_of_a_person(client, accounts):
    # A resident's account belongs to a person; a community worker's (in these fixtures) does not, and has neither.
    mine = (reverse("offers:mine"), reverse("volunteering:mine"))
    assert all(f'href="{url}"' in home(client, accounts["resident"]) for url in mine)
    assert not any(f'href="{url}"' in home(client, accounts["community_staff"]) for url in mine)
