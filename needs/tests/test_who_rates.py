"""Who rates: only the reporter(s) of a need rate it; staff who record a need — for nobody in particular, or
naming themself — are never its reporter, so they are never offered 评价 on what they recorded or merged;
the grid worker's follow-up call records the grade instead."""

import pytest
from django.core.exceptions import PermissionDenied

from needs.models import Need
from needs.permissions import actions_for
from needs.services import need_act, need_follow_up, need_rate, need_submit
from people.services import person_account_link, person_create

pytestmark = pytest.mark.django_db


def resolved(need, accounts, category):
    """Walk a submitted need to resolved: accepted, published, claimed by the unit, resolved with evidence."""
    staff, unit = accounts["community_staff"], accounts["unit_admin"]
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance")
    need = need_act(actor=staff, need=need, action="publish")
    need = need_act(actor=unit, need=need, action="claim")
    return need_act(actor=unit, need=need, action="resolve", note="修好了", evidence="居民签字的验收单")


@pytest.fixture
def staff_person(root, accounts, tree):
    """The community staff member is also a resident on record (as most are: they live in the community)."""
    person = person_create(actor=root, name="社区小李", phone="13700000001", home=tree["entrance"], is_resident=True)
    person_account_link(actor=root, person=person, user=accounts["community_staff"])
    return person


def test_a_need_staff_record_without_a_resident_has_no_reporter_to_rate_it(accounts, tree, category, staff_person):
    staff = accounts["community_staff"]
    need = need_submit(actor=staff, title="路灯不亮", place=tree["building"], channel="field_visit")
    assert need.reporter is None and need.recorded_by == staff
    need = resolved(need, accounts, category)
    assert "rate" not in actions_for(staff, need) and "follow_up" in actions_for(staff, need)
    with pytest.raises(PermissionDenied):
        need_rate(actor=staff, need=need, rating="very_satisfied")
    assert Need.objects.get(pk=need.pk).rating == ""
    need = need_follow_up(actor=accounts["grid_worker"], need=need, rating="satisfied", note="电话回访")
    assert need.rating == "satisfied" and need.rated_by_follow_up and need.state == "closed"


def test_staff_naming_themself_as_the_resident_still_may_not_rate_what_they_recorded(accounts, tree, category,
                                                                                      staff_person):
    staff = accounts["community_staff"]
    need = need_submit(actor=staff, title="楼道堆物", place=tree["building"], reporter=staff_person)
    assert need.reporter == staff_person
    need = resolved(need, accounts, category)
    assert "rate" not in actions_for(staff, need)
    with pytest.raises(PermissionDenied):
        need_rate(actor=staff, need=need, rating="very_satisfied")


def test_staff_are_not_offered_rating_a_need_their_own_record_was_merged_into(accounts, tree, category,
                                                                             staff_person, submitted):
    staff = accounts["community_staff"]
    duplicate = need_submit(actor=staff, title="加装电梯", place=tree["building"], reporter=staff_person)
    need_act(actor=staff, need=duplicate, action="merge", into=submitted)
    target = resolved(Need.objects.get(pk=submitted.pk), accounts, category)
    assert target.extra_reporters.filter(person=staff_person).exists()
    assert "rate" not in actions_for(staff, target)
    assert "rate" in actions_for(accounts["resident"], target)  # the resident who reported it rates


def test_a_resident_rates_their_own_need_and_a_merged_in_resident_too(accounts, tree, category, root, submitted):
    neighbour_user = accounts["party_member"]  # lives in the same entrance, reports the same thing
    duplicate = need_submit(actor=neighbour_user, title="也想加装电梯", place=tree["building"])
    assert duplicate.reporter.user == neighbour_user
    need_act(actor=accounts["community_staff"], need=duplicate, action="merge", into=submitted)
    target = resolved(Need.objects.get(pk=submitted.pk), accounts, category)
    assert "rate" in actions_for(accounts["resident"], target) and "rate" in actions_for(neighbour_user, target)
    need = need_rate(actor=neighbour_user, need=target, rating="satisfied")
    assert need.rating == "satisfied" and not need.rated_by_follow_up


def test_the_grid_worker_records_a_grade_but_never_rates(accounts, submitted, category):
    need = resolved(submitted, accounts, category)
    grid_worker = accounts["grid_worker"]
    assert "rate" not in actions_for(grid_worker, need) and "follow_up" in actions_for(grid_worker, need)
    with pytest.raises(PermissionDenied):
        need_rate(actor=grid_worker, need=need, rating="satisfied")
