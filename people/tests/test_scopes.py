"""Every role's scope: whose records it may open, what it may change."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from people import scopes
from people.models import MemberReportState, PersonalDataAccess
from people.services import (
    member_place,
    member_report,
    membership_create,
    organisation_update,
    party_organisation_create,
    person_create,
    personal_data_reveal,
    role_grant,
)
from sites.services import site_create


@pytest.fixture
def people_(root, tree, unit, today):
    """A resident of each community, and a film-studio member living in 天庆嘉园 and reported there."""
    tq = person_create(actor=root, name="高先生", phone="13800000001", home=tree["entrance"], room="302",
                       is_resident=True)
    wl = person_create(actor=root, name="李阿姨", phone="13800000002", home=tree["compound2"], room="101",
                       is_resident=True)
    member = person_create(actor=root, name="王党员", phone="13800000003", home=tree["building"])
    membership = membership_create(actor=root, person=member, party_organisation=unit["branch"])
    committee = party_organisation_create(actor=root, level="committee", name="天庆嘉园社区党委",
                                          place=tree["tqjy"])
    grid_branch = party_organisation_create(actor=root, level="branch", name="天庆嘉园第一网格党支部",
                                            place=tree["grid1"], parent=committee)
    report = member_report(actor=root, membership=membership, community=tree["tqjy"], reported_on=today)
    return {"tq": tq, "wl": wl, "member": member, "membership": membership, "report": report,
            "grid_branch": grid_branch, "committee": committee}


def visible(user, people_):
    return {p.name for p in scopes.persons_visible_to(user).filter(pk__in=[
        people_["tq"].pk, people_["wl"].pk, people_["member"].pk])}


def test_it_shows_the_subdistrict_admin_everyone_in_the_subdistrict(accounts, people_):
    assert visible(accounts["subdistrict_admin"], people_) == {"高先生", "李阿姨", "王党员"}


def test_it_shows_community_staff_only_their_community(accounts, people_):
    assert visible(accounts["community_staff"], people_) == {"高先生", "王党员"}
    assert visible(accounts["other_community_staff"], people_) == {"李阿姨"}


def test_it_shows_a_grid_worker_the_residents_of_their_grids(accounts, people_):
    assert visible(accounts["grid_worker"], people_) == {"高先生", "王党员"}


def test_it_shows_a_unit_admin_their_own_members_only(accounts, people_):
    assert visible(accounts["unit_admin"], people_) == {"王党员"}


@pytest.mark.parametrize("role", ["party_member", "resident", "committee_member"])
def test_it_shows_self_roles_nobody_else(accounts, people_, role):
    assert visible(accounts[role], people_) == set()
    own = scopes.persons_visible_to(accounts[role])
    assert [p.user for p in own] == ([accounts[role]] if role != "committee_member" else [])


def test_it_shows_the_public_nobody(people_):
    assert visible(AnonymousUser(), people_) == set()


def test_it_lets_a_member_see_their_own_full_data_and_staff_in_scope(accounts, people_):
    own = accounts["resident"].person
    assert accounts["resident"].has_perm("people.view_person_full", own)
    assert accounts["community_staff"].has_perm("people.view_person_full", people_["tq"])
    assert not accounts["other_community_staff"].has_perm("people.view_person_full", people_["tq"])
    assert not accounts["committee_member"].has_perm("people.view_person", people_["tq"])
    assert not accounts["party_member"].has_perm("people.view_person_full", people_["tq"])


def test_it_logs_each_full_view_and_refuses_out_of_scope(accounts, people_):
    personal_data_reveal(actor=accounts["community_staff"], person=people_["tq"], reason="回访")
    personal_data_reveal(actor=accounts["community_staff"], person=people_["tq"])
    assert PersonalDataAccess.objects.filter(person=people_["tq"],
                                             viewer=accounts["community_staff"]).count() == 2
    with pytest.raises(PermissionDenied):
        personal_data_reveal(actor=accounts["other_community_staff"], person=people_["tq"])
    assert PersonalDataAccess.objects.count() == 2


def test_it_places_a_reported_member_in_a_grid_branch_of_that_community(accounts, people_, today):
    report = member_place(actor=accounts["community_staff"], report=people_["report"],
                          grid_branch=people_["grid_branch"], placed_on=today)
    assert report.state == MemberReportState.PLACED
    with pytest.raises(PermissionDenied):
        member_place(actor=accounts["other_community_staff"], report=report,
                     grid_branch=people_["grid_branch"], placed_on=today)


def test_it_refuses_a_grid_branch_of_another_community(root, tree, people_, today):
    other = party_organisation_create(actor=root, level="committee", name="五里铺东社区党委", place=tree["wlpd"])
    wrong = party_organisation_create(actor=root, level="branch", name="五里铺东第一网格党支部",
                                      place=tree["grid2"], parent=other)
    with pytest.raises(ValidationError):
        member_place(actor=root, report=people_["report"], grid_branch=wrong, placed_on=today)


def test_it_refuses_a_second_report_to_another_community(root, tree, people_, today):
    with pytest.raises(ValidationError):
        member_report(actor=root, membership=people_["membership"], community=tree["wlpd"], reported_on=today)
    assert member_report(actor=root, membership=people_["membership"], community=tree["tqjy"],
                         reported_on=today) == people_["report"]


def test_it_lets_a_unit_admin_change_only_their_unit(accounts, unit, root):
    organisation_update(actor=accounts["unit_admin"], organisation=unit["organisation"], address="雁滩路")
    other = unit["organisation"].__class__.objects.create(kind="co_building_unit", name="别的单位")
    with pytest.raises(PermissionDenied):
        organisation_update(actor=accounts["unit_admin"], organisation=other, address="x")


def test_it_refuses_sites_outside_the_staff_scope(accounts, tree):
    site_create(actor=accounts["community_staff"], kind="station", name="天庆嘉园便民驿站", place=tree["compound"])
    with pytest.raises(PermissionDenied):
        site_create(actor=accounts["community_staff"], kind="station", name="越界驿站", place=tree["compound2"])


def test_it_refuses_granting_roles_outside_the_granters_scope(accounts, tree):
    from django.contrib.auth.models import User

    newcomer = User.objects.create_user("newcomer")
    role_grant(actor=accounts["community_staff"], user=newcomer, role="grid_worker", place=tree["grid1"])
    with pytest.raises(PermissionDenied):
        role_grant(actor=accounts["community_staff"], user=newcomer, role="grid_worker", place=tree["grid2"])
    with pytest.raises(ValidationError):
        role_grant(actor=accounts["subdistrict_admin"], user=newcomer, role="grid_worker", place=tree["tqjy"])


def test_it_refuses_a_phone_in_the_wrong_format(root, tree):
    with pytest.raises(ValidationError) as err:
        person_create(actor=root, name="错号", phone="1380000", home=tree["entrance"])
    assert "phone" in err.value.message_dict


def test_it_lets_community_staff_register_a_member_reporting_to_their_community(accounts, tree, root):
    """The member's unit lies in 五里铺东; 天庆嘉园's staff may register them only as reporting to 天庆嘉园."""
    from people.services import organisation_create

    far_unit = organisation_create(actor=root, kind="co_building_unit", name="大桥出租车公司", place=tree["grid2"])
    branch = party_organisation_create(actor=root, level="branch", name="大桥出租车公司党支部", organisation=far_unit)
    person = person_create(actor=root, name="赵党员", phone="13800000009", home=tree["building"])
    staff = accounts["community_staff"]
    with pytest.raises(PermissionDenied):
        membership_create(actor=staff, person=person, party_organisation=branch)
    with pytest.raises(PermissionDenied):
        membership_create(actor=staff, person=person, party_organisation=branch, reporting_to=tree["wlpd"])
    membership = membership_create(actor=staff, person=person, party_organisation=branch, reporting_to=tree["tqjy"])
    assert membership.person == person


def test_it_never_moves_a_person_from_one_account_to_another(root, accounts):
    from django.contrib.auth.models import User

    from people.services import person_account_link

    person = accounts["resident"].person
    with pytest.raises(ValidationError):
        person_account_link(actor=root, person=person, user=User.objects.create_user("intruder"))
    with pytest.raises(ValidationError):
        person_account_link(actor=root, person=accounts["party_member"].person, user=accounts["resident"])
    person.refresh_from_db()
    assert person.user == accounts["resident"]
