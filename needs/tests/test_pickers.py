"""Merge and dispatch by searching (issue 10, item 3): the merge picker tells needs of the same title apart, the
dispatch picker finds units and members by name, pinyin or unit, and a need's suggestions act in one click."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from needs.models import Need, State
from needs.services import need_act, need_submit
from people.services import membership_create, person_create

pytestmark = pytest.mark.django_db
LIGHT = "10号楼1单元楼道灯不亮"


def at(day):
    return timezone.make_aware(datetime.datetime(2021, 6, day, 10, 0))


def pick(client, need, action, field, text):
    name = f"{action}-{field}"
    return client.get(reverse("needs:pick", args=[need.pk, action, field]), {"name": name, f"{name}_q": text})


@pytest.fixture
def lights(accounts, tree):
    """Two needs of the same title, at two places on two days, and a third one to merge."""
    resident = accounts["resident"]
    first = need_submit(actor=resident, title=LIGHT, place=tree["entrance"], at=at(1))
    second = need_submit(actor=resident, title=LIGHT, place=tree["compound"], at=at(8))
    third = need_submit(actor=resident, title="楼道灯坏了", place=tree["entrance"], at=at(9))
    return first, second, third


def test_it_tells_two_needs_of_the_same_title_apart(client, accounts, lights):
    first, second, third = lights
    client.force_login(accounts["community_staff"])
    body = pick(client, third, "merge", "into", "楼道灯不亮").content.decode()
    assert f"#{first.pk} {LIGHT}" in body and f"#{second.pk} {LIGHT}" in body
    assert "2021-06-01 · 天庆嘉园A区 › 1号楼2单元 · 已提交" in body
    assert "2021-06-08 · 天庆嘉园A区 · 已提交" in body
    assert f'value="{third.pk}"' not in body  # not into itself


@pytest.mark.parametrize("text, found", [("#{first}", "first"), ("2021-06-08", "second"), ("6月1日", "first"),
                                         ("1hl2dy 楼道灯不亮", "first")])
def test_it_finds_the_need_to_merge_into_by_number_date_or_place(client, accounts, lights, text, found):
    first, second, third = lights
    client.force_login(accounts["community_staff"])
    body = pick(client, third, "merge", "into", text.format(first=first.pk)).content.decode()
    wanted, other = (first, second) if found == "first" else (second, first)
    assert f'value="{wanted.pk}"' in body and f'value="{other.pk}"' not in body


def test_it_offers_no_need_outside_the_staff_members_area_and_nothing_to_others(client, accounts, lights, tree):
    first, second, third = lights
    elsewhere = need_submit(actor=accounts["resident"], title=LIGHT, place=tree["compound2"])
    client.force_login(accounts["community_staff"])
    assert f'value="{elsewhere.pk}"' not in pick(client, third, "merge", "into", "楼道灯").content.decode()
    client.force_login(accounts["resident"])
    assert pick(client, third, "merge", "into", "楼道灯").status_code == 404
    client.force_login(accounts["community_staff"])
    assert pick(client, third, "merge", "nothing", "楼道灯").status_code == 404


@pytest.fixture
def members(root, tree, unit):
    """Two members of the film studio's branch with the same surname, living in 天庆嘉园, and one elsewhere."""
    people = [person_create(actor=root, name=name, phone=phone, home=home) for name, phone, home in (
        ("李建国", "13800001111", tree["entrance"]), ("李建华", "13800002222", tree["entrance"]),
        ("李远方", "13800003333", tree["compound2"]))]
    for person in people:
        membership_create(actor=root, person=person, party_organisation=unit["branch"])
    return people


def test_it_finds_units_and_members_by_unit_pinyin_and_shows_members_masked(client, accounts, published, members):
    client.force_login(accounts["community_staff"])
    body = pick(client, published, "dispatch", "holder", "dyzp").content.decode()  # 电影制片(厂)
    assert 'value="organisation:' in body and "兰州电影制片厂" in body
    assert body.count('<span class="picker-label">李**</span>') == 2  # masked, with what tells them apart:
    assert "党员 · 兰州电影制片厂 · 138****1111" in body and "党员 · 兰州电影制片厂 · 138****2222" in body
    assert "李建国" not in body and "138****3333" not in body  # the member living elsewhere is not offered
    by_name = pick(client, published, "dispatch", "holder", "李建国").content.decode()
    assert by_name.count('type="radio"') == 1 and f'value="person:{members[0].pk}"' in by_name


def test_it_merges_a_duplicate_in_one_click(client, accounts, lights):
    first, second, third = lights
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("needs:detail", args=[third.pk])).content.decode()
    assert f"合并到 #{first.pk}" in page
    response = client.post(reverse("needs:act", args=[third.pk, "merge"]), {"merge-into": first.pk})
    assert response.status_code == 302
    assert Need.objects.get(pk=third.pk).merged_into == first


def test_it_dispatches_to_a_suggested_claimant_in_one_click(client, accounts, published, unit):
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert "派单给 兰州电影制片厂" in page
    client.post(reverse("needs:act", args=[published.pk, "dispatch"]),
                {"dispatch-holder": f"organisation:{unit['organisation'].pk}"})
    need = Need.objects.get(pk=published.pk)
    assert need.state == State.CLAIMED and need.lead_organisation == unit["organisation"]


def test_it_shows_no_one_click_button_to_who_may_not_act(client, accounts, published):
    client.force_login(accounts["grid_worker"])
    page = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert "兰州电影制片厂" in page and "派单给" not in page


@pytest.mark.parametrize("action, field, text, first", [("merge", "into", "楼道灯", 2),  # two needs
                                                        ("dispatch", "holder", "dyzp", 3)])  # the unit, two members
def test_it_searches_needs_and_holders_in_a_constant_number_of_queries(client, accounts, tree, root, unit, category,
                                                                       action, field, text, first,
                                                                       django_assert_max_num_queries):
    staff = accounts["community_staff"]
    need = need_submit(actor=accounts["resident"], title="楼道灯坏了", place=tree["entrance"])
    if action == "dispatch":
        need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="worry")
    client.force_login(staff)
    added = []

    def grow(n):
        for i in range(len(added), len(added) + n):
            need_submit(actor=accounts["resident"], title=f"{i}号楼楼道灯不亮", place=tree["entrance"])
            person = person_create(actor=root, name=f"党员{i}", phone=f"1370000{i:04d}", home=tree["entrance"])
            added.append(membership_create(actor=root, person=person, party_organisation=unit["branch"]))

    grow(2)
    pick(client, need, action, field, text)  # the session is read on the first request
    with django_assert_max_num_queries(30) as few:
        assert pick(client, need, action, field, text).content.decode().count('type="radio"') == first
    grow(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert pick(client, need, action, field, text).content.decode().count('type="radio"') == 8
