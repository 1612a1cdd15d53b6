"""Bugs found by probing the API (issue 10, item 6), each closed by one rule in needs.choices or needs.actions:
whom a need may be dispatched to, what a refusal may reveal, and where a need may be placed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Event
from needs.choices import dispatch_members, dispatch_organisations, merge_targets
from needs.models import Need, State
from needs.services import need_act, need_submit
from needs.tests import test_action_records as action_records
from people.models import Person
from people.services import membership_create, person_create

call = action_records.call  # POST to /api/v1/needs… with the user's bearer token


@pytest.fixture
def member(root, tree, unit):
    """A member of the film studio's branch who lives in 天庆嘉园: community staff may dispatch to them."""
    person = person_create(actor=root, name="李党员", phone="13800001111", home=tree["entrance"])
    membership_create(actor=root, person=person, party_organisation=unit["branch"])
    return person


@pytest.fixture
def stranger(root, tree):
    """A resident of 五里铺东社区 who is no party member: nobody at 天庆嘉园 may dispatch to them."""
    return person_create(actor=root, name="王居民", phone="13800002222", home=tree["compound2"], is_resident=True)


def test_it_refuses_to_dispatch_to_a_resident_of_another_community_with_403_and_writes_nothing(
        call, published, accounts, stranger):
    staff = accounts["community_staff"]
    events = Event.objects.filter(subject_type="needs.need", subject_id=str(published.pk))
    before = events.count()
    response = call(staff, f"/{published.pk}/actions/dispatch", {"person": stranger.pk})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        need_act(actor=staff, need=published, action="dispatch", person=stranger)
    need = Need.objects.get(pk=published.pk)
    assert need.state == State.PUBLISHED and need.lead_person is None and events.count() == before


def test_it_answers_an_unknown_person_as_one_it_may_not_dispatch_to(call, published, accounts, stranger):
    staff = accounts["community_staff"]
    foreign = call(staff, f"/{published.pk}/actions/dispatch", {"person": stranger.pk})
    missing = call(staff, f"/{published.pk}/actions/dispatch", {"person": Person.objects.order_by("pk").last().pk + 99})
    assert missing.status_code == foreign.status_code == 403 and missing.json() == foreign.json()


def test_it_dispatches_to_a_party_member_of_the_area_and_to_a_unit_of_the_area(call, published, accounts, member,
                                                                               unit):
    staff = accounts["community_staff"]
    response = call(staff, f"/{published.pk}/actions/dispatch", {"person": member.pk})
    assert response.status_code == 200 and response.json()["state"] == State.CLAIMED
    assert Need.objects.get(pk=published.pk).lead_person == member
    assert list(dispatch_organisations(staff, published)) == [unit["organisation"]]  # located in 天庆嘉园


def test_it_offers_the_same_holders_to_the_form_as_the_action_accepts(published, accounts, member, stranger,
                                                                      department):
    staff, subdistrict = accounts["community_staff"], accounts["subdistrict_admin"]
    assert member in dispatch_members(staff, published) and stranger not in dispatch_members(staff, published)
    assert department["organisation"] not in dispatch_organisations(staff, published)
    assert department["organisation"] in dispatch_organisations(subdistrict, published)
    from needs.forms import HolderForm

    form = HolderForm({"holder": f"person:{stranger.pk}"}, need=published, user=staff)
    assert not form.is_valid() and "holder" in form.errors
    form = HolderForm({"holder": f"person:{member.pk}"}, need=published, user=staff)
    assert form.is_valid() and form.cleaned_data == {"person": member}


def test_it_answers_a_merge_into_a_hidden_need_exactly_as_into_a_missing_one(call, submitted, accounts, tree):
    hidden = need_submit(actor=accounts["resident"], title="五里铺东的私事", place=tree["compound2"], is_public=False)
    closed = need_act(actor=accounts["other_community_staff"], need=hidden, action="reject", note="不属实")
    staff = accounts["community_staff"]
    answers = [call(staff, f"/{submitted.pk}/actions/merge", {"into": pk})
               for pk in (closed.pk, Need.objects.order_by("pk").last().pk + 99)]
    assert [a.status_code for a in answers] == [422, 422] and answers[0].json() == answers[1].json()
    with pytest.raises(ValidationError) as refused:
        need_act(actor=staff, need=submitted, action="merge", into=closed)
    assert refused.value.message_dict == {"into": ["请选择要合并到的较早需求。"]}
    assert Need.objects.get(pk=submitted.pk).state == State.SUBMITTED
    assert closed not in merge_targets(staff, submitted)


def test_it_answers_a_reporter_it_may_not_see_exactly_as_a_missing_one(call, accounts, tree, stranger):
    staff = accounts["community_staff"]
    answers = [call(staff, "", {"title": "楼道灯不亮", "place": tree["building"].code, "reporter": pk})
               for pk in (stranger.pk, Person.objects.order_by("pk").last().pk + 99)]
    assert [a.status_code for a in answers] == [422, 422] and answers[0].json() == answers[1].json()
    assert "reporter" in answers[0].json()["errors"] and Need.objects.count() == 0


@pytest.mark.parametrize("level", ["city", "district", "subdistrict"])
def test_it_places_a_need_only_in_a_community_or_below(call, accounts, tree, level):
    response = call(accounts["resident"], "", {"title": "到处都脏", "place": tree[level].code})
    assert response.status_code == 422
    assert "社区或社区以内" in response.json()["errors"]["place"][0]
    with pytest.raises(ValidationError) as refused:
        need_submit(actor=accounts["community_staff"], title="到处都脏", place=tree[level])
    assert list(refused.value.message_dict) == ["place"] and Need.objects.count() == 0
    need = need_submit(actor=accounts["resident"], title="社区里到处都脏", place=tree["tqjy"])
    assert need.place == tree["tqjy"]
