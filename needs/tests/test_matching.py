from django.urls import reverse

from needs.matching import claimant_suggestions, likely_duplicates, similarity
from needs.services import need_act, need_submit


def test_it_scores_similar_chinese_text_higher():
    assert similarity("4号楼加装电梯", "电梯加装4号楼") > similarity("4号楼加装电梯", "路灯不亮")
    assert similarity("", "路灯") == 0


def test_it_finds_a_likely_duplicate_in_the_same_grid_only(submitted, accounts, tree):
    found = likely_duplicates(title="3单元想加装电梯", place=tree["building"])
    assert [n.pk for n, _score in found] == [submitted.pk]
    assert likely_duplicates(title="3单元想加装电梯", place=tree["compound2"]) == []
    assert likely_duplicates(title="垃圾没人清运", place=tree["building"]) == []


def test_it_shows_duplicates_to_staff_on_the_need_page(client, submitted, accounts, tree):
    other = need_submit(actor=accounts["party_member"], title="加装电梯的事", place=tree["building"])
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("needs:detail", args=[other.pk])).content.decode()
    assert "4号楼3单元加装电梯" in page


def test_it_hides_unvetted_duplicates_from_the_public_hint(client, submitted, tree):
    response = client.get(reverse("needs:duplicates"), {"title": "加装电梯", "place": tree["building"].code})
    assert "4号楼3单元" not in response.content.decode()


def test_it_suggests_the_unit_that_offers_the_service_with_the_reason(published, unit, accounts):
    suggestions = claimant_suggestions(published)
    assert suggestions[0]["object"] == unit["organisation"]
    assert "加装电梯咨询" in suggestions[0]["reasons"][0]


def test_it_ranks_coverage_and_offer_above_offer_alone(published, unit, root, tree, second_unit):
    import datetime

    from people.services import organisation_update
    from places.services import coverage_create

    organisation_update(actor=root, organisation=second_unit, service_categories="加装电梯讲解")
    coverage_create(actor=root, place=tree["compound"], organisation=second_unit, since=datetime.date(2021, 3, 1))
    first = claimant_suggestions(published)[0]
    assert first["object"] == second_unit and len(first["reasons"]) == 2


def test_it_shows_suggestions_to_staff_once_accepted(client, submitted, accounts, category):
    need_act(actor=accounts["community_staff"], need=submitted, action="accept", category=category,
             concern_level="worry")
    client.force_login(accounts["community_staff"])
    assert "兰州电影制片厂" in client.get(reverse("needs:detail", args=[submitted.pk])).content.decode()
