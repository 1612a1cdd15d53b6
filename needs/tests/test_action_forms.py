"""What the need page's action forms offer first: the resident's choices on accept, the unit on a unit's claim."""

import pytest
from django.urls import reverse

from needs.forms import AcceptForm, ClaimForm, action_form
from needs.models import Category
from needs.services import need_submit
from people.services import role_grant

pytestmark = pytest.mark.django_db


def test_it_offers_accept_with_what_the_resident_chose(accounts, tree, category):
    need = need_submit(actor=accounts["resident"], title="邻居漏水", place=tree["building"], category=category,
                       is_public=False)
    form = action_form("accept", need=need, user=accounts["community_staff"])
    assert isinstance(form, AcceptForm)
    assert form["category"].value() == category.pk and form["is_public"].value() is False
    assert form["concern_level"].value() == need.concern_level


def test_the_page_shows_the_category_chosen(client, accounts, tree):
    repairs = Category.objects.get_or_create(name="设施维修")[0]
    need = need_submit(actor=accounts["resident"], title="路灯不亮", place=tree["building"], category=repairs)
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert f'<option value="{repairs.pk}" selected>设施维修</option>' in page


def test_a_unit_admin_claims_for_the_unit_with_no_other_choice(accounts, unit):
    form = ClaimForm(user=accounts["unit_admin"], prefix="claim")
    field = form.fields["organisation"]
    assert form["organisation"].value() == unit["organisation"].pk
    assert field.required and [label for _v, label in field.choices] == ["兰州电影制片厂"]  # no "Myself"


def test_a_party_member_who_also_runs_a_unit_may_still_claim_for_themself(root, accounts, unit):
    role_grant(actor=root, user=accounts["party_member"], role="unit_admin", organisation=unit["organisation"])
    form = ClaimForm(user=accounts["party_member"])
    assert form["organisation"].value() == unit["organisation"].pk  # the unit first
    assert not form.fields["organisation"].required and "我本人" in [str(lbl) for _v, lbl in
                                                                      form.fields["organisation"].choices]
