"""A need turned into a dispute says so on its page (needs.hooks origins): 已转人民调解 — to the public nothing more,
to the case's readers a link to the case; staff who may record disputes there are offered the way to turn one."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from mediation.selectors import need_mediation
from mediation.services import dispute_from_need
from mediation.tests.conftest import NOW
from needs.hooks import origins_of
from needs.models import Category
from needs.services import need_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(accounts, tree):
    return need_submit(actor=accounts["community_staff"], title="楼上漏水邻里纠纷", place=tree["entrance"],
                       category=Category.objects.get_or_create(name="邻里纠纷")[0], contact_name="赵六",
                       contact_phone="13811112222", at=NOW)


def test_staff_are_offered_to_turn_a_neighbour_dispute_need(need, accounts):
    assert need_mediation(need, accounts["community_staff"]) == [("转人民调解", f"/mediation/from-need/{need.pk}/")]
    assert need_mediation(need, accounts["other_community_staff"]) == []
    assert need_mediation(need, AnonymousUser()) == []


def test_a_turned_need_says_so_linked_only_for_the_cases_readers(need, accounts, client):
    dispute = dispute_from_need(actor=accounts["community_staff"], need=need, kind="leak")
    assert origins_of(need, accounts["community_staff"]) == [("已转人民调解", f"/mediation/{dispute.pk}/")]
    assert need_mediation(need, AnonymousUser()) == [("已转人民调解", "")]
    assert need_mediation(need, accounts["grid_worker"]) == [("已转人民调解", "")]
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "已转人民调解" in page and f'href="/mediation/{dispute.pk}/"' in page
