"""The header's search: needs by number or title, places by pinyin, people (staff, in scope, masked)."""

import re

import pytest
from django.urls import reverse

from needs.models import Category
from needs.services import need_act, need_submit
from people.services import person_create

pytestmark = pytest.mark.django_db


def search(client, user, q) -> str:
    client.force_login(user)
    response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def submitted(accounts, tree):
    return need_submit(actor=accounts["resident"], title="4号楼3单元加装电梯", place=tree["building"])


@pytest.fixture
def published(submitted, accounts):
    staff = accounts["community_staff"]
    need = need_act(actor=staff, need=submitted, action="accept", concern_level="worry",
                    category=Category.objects.get_or_create(name="加装电梯")[0])
    return need_act(actor=staff, need=need, action="publish")


@pytest.fixture
def zhang(root, tree):
    return person_create(actor=root, name="张建华", phone="13812345678", home=tree["entrance"], is_resident=True)


def test_it_finds_a_need_by_number_or_title(client, accounts, submitted):
    staff = accounts["community_staff"]
    assert f"#{submitted.pk} 4号楼3单元加装电梯" in search(client, staff, str(submitted.pk))
    assert f"#{submitted.pk} " in search(client, staff, f"#{submitted.pk}")
    assert "4号楼3单元加装电梯" in search(client, staff, "加装电梯")
    assert "4号楼3单元加装电梯" not in search(client, accounts["other_community_staff"], "加装电梯")  # not theirs


def test_it_does_not_let_the_public_find_what_a_title_hides(client, accounts, published):
    """The public reads 某楼某单元加装电梯: searching 4号楼 must not tell them where it is."""
    visitor = accounts["party_member"]
    assert "加装电梯" in search(client, visitor, "加装电梯")
    assert "加装电梯" not in search(client, visitor, "4号楼3单元")


def test_it_finds_places_by_pinyin_initials(client, accounts):
    page = search(client, accounts["resident"], "tqjy")
    assert "天庆嘉园社区" in page and "天庆嘉园A区" in page


def test_it_finds_people_for_staff_in_their_scope_masked(client, accounts, zhang):
    people = re.search(r'id="found-people".*?</section>', search(client, accounts["community_staff"], "张建华"),
                       re.S)[0]
    assert "张**" in people and "138****5678" in people and "张建华" not in people and "13812345678" not in people
    assert "张**" in search(client, accounts["community_staff"], "zjh")
    assert "张**" in search(client, accounts["community_staff"], "138-1234-5678")  # the whole number
    assert "张**" not in search(client, accounts["community_staff"], "1234567")  # never a part of it
    assert "张**" not in search(client, accounts["other_community_staff"], "张建华")  # another community's


def test_it_finds_no_people_for_residents(client, accounts, zhang):
    page = search(client, accounts["resident"], "张建华")
    assert "张**" not in page and "found-people" not in page


def test_it_answers_an_empty_or_odd_query(client, accounts):
    assert "tqjy" in search(client, accounts["community_staff"], "")  # the hint
    assert search(client, accounts["community_staff"], "%_'\"<script>" * 20)  # no error, escaped
    client.logout()
    assert client.get(reverse("search"), {"q": "x"}).status_code == 302  # to the login page


def test_it_links_to_the_worklist_when_more_needs_match(client, accounts, tree):
    for i in range(11):
        need_submit(actor=accounts["resident"], title=f"路灯不亮{i}", place=tree["building"])
    page = search(client, accounts["community_staff"], "路灯")
    assert page.count("路灯不亮") == 10 and "/needs/triage/?queue=all&amp;q=%E8%B7%AF%E7%81%AF" in page
