"""Offers in a published need's suggested claimants (offers.matching through needs.hooks): the providers of
published offers whose kind fits the need's category (CATEGORY_OFFER_KINDS) and that serve its community, with
the reason in words, merged with what needs itself suggests."""

import pytest
from django.urls import reverse
from django.utils import translation

from needs.hooks import suggesters
from needs.matching import claimant_suggestions
from needs.models import Category
from needs.services import need_act, need_submit
from offers import matching
from offers.services import offer_create
from people import scopes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def category(name, parent=None):
    return Category.objects.get_or_create(name=name, defaults={"parent": parent})[0]


def published(accounts, place, category):
    staff = accounts["subdistrict_admin"]  # both communities are its
    need = need_submit(actor=accounts["resident"], title="腿脚不便，去医院没人接送", place=place, category=category)
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="worry")
    return need_act(actor=staff, need=need, action="publish")


def offers_of(found):
    return {(s["kind"], s["object"].pk): s for s in found}


def test_offers_register_their_suggester_with_needs():
    assert matching.offer_suggestions in suggesters()


def test_a_provider_whose_offer_fits_and_serves_the_community_is_suggested_with_the_reason(
        accounts, tree, unit, offer):
    need = published(accounts, tree["building"], category("出行困难"))
    [suggestion] = [s for s in claimant_suggestions(need) if s["object"] == unit["organisation"]]
    assert suggestion["kind"] == "organisation" and suggestion["score"] == matching.SCORE
    assert suggestion["reasons"] == ["实事清单：爱心送考免费接送（接送），服务天庆嘉园社区"]


def test_no_suggestion_from_an_offer_that_does_not_fit(accounts, tree, unit, provider, offer):
    org = unit["organisation"]
    for kind, name in (("lecture", "交通安全讲座"), ("lecture", "冬季健康知识讲座"), ("consultation", "升学政策答疑")):
        offer_create(actor=provider, kind=kind, name=name, organisation=org, communities=[tree["tqjy"]],
                     is_published=True)
    for place, cat in ((tree["building"], category("环境卫生")),  # a category no offer answers
                       (tree["compound2"], category("出行困难")),  # another community: the offer does not serve it
                       (tree["building"], category("加装电梯")),  # a consultation, but on another subject
                       (tree["building"], category("医疗健康"))):  # a lecture: the one on health fits
        need = published(accounts, place, cat)
        found = matching.offer_suggestions(need)
        if cat.name == "医疗健康":
            assert [r for s in found for r in s["reasons"]] == ["实事清单：冬季健康知识讲座（讲座），服务天庆嘉园社区"]
        else:
            assert found == [], (place.name, cat.name)


def test_an_unpublished_offer_is_not_suggested(accounts, tree, unit, provider):
    offer_create(actor=provider, kind="transport", name="草稿接送", organisation=unit["organisation"],
                 communities=[tree["tqjy"]], is_published=False)
    assert matching.offer_suggestions(published(accounts, tree["building"], category("出行困难"))) == []


def test_a_need_without_a_category_gets_no_offer(accounts, tree, offer):
    need = need_submit(actor=accounts["resident"], title="不知道怎么办", place=tree["building"])
    assert matching.offer_suggestions(need) == []


def test_a_category_below_one_in_the_table_inherits_its_kinds(accounts, tree, unit, offer):
    child = category("就医接送", parent=category("出行困难"))
    assert matching.offer_kinds(child) == {"transport"}
    found = matching.offer_suggestions(published(accounts, tree["building"], child))
    assert [s["object"] for s in found] == [unit["organisation"]]


def test_one_suggestion_per_provider_with_every_reason(accounts, tree, unit, provider):
    org = unit["organisation"]  # its declared services: 加装电梯咨询, 法律咨询
    for name in ("法律咨询进社区", "周末法律讲座"):
        offer_create(actor=provider, kind="consultation" if "咨询" in name else "lecture", name=name,
                     organisation=org, communities=[tree["tqjy"], tree["wlpd"]], is_published=True)
    need = published(accounts, tree["building"], category("法律咨询"))
    [suggestion] = [s for s in claimant_suggestions(need) if s["object"] == org]
    assert suggestion["reasons"] == ["提供 法律咨询", "实事清单：法律咨询进社区（咨询），服务天庆嘉园社区",
                                     "实事清单：周末法律讲座（讲座），服务天庆嘉园社区"]
    assert suggestion["score"] == 3 + matching.SCORE


def test_a_members_offer_suggests_the_member(accounts, tree):
    member = scopes.person_of(accounts["party_member"])
    offer_create(actor=accounts["party_member"], kind="clinic", name="退休医生义诊", person=member,
                 communities=[tree["tqjy"]], is_published=True)
    found = offers_of(matching.offer_suggestions(published(accounts, tree["entrance"], category("养老服务"))))
    assert found[("person", member.pk)]["reasons"] == ["实事清单：退休医生义诊（义诊），服务天庆嘉园社区"]


def test_the_need_page_shows_the_offer_and_its_reason_to_staff(client, accounts, tree, unit, offer):
    need = published(accounts, tree["building"], category("出行困难"))
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "推荐认领" in page or "Suggested claimants" in page
    assert "兰州电影制片厂" in page and "实事清单：爱心送考免费接送（接送），服务天庆嘉园社区" in page
