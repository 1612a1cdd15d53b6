"""The place picker: a search by name, pinyin, initials or code that shows each place's path, offers what the form
accepts, works without JavaScript, and costs the same number of queries however many places match."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needs.forms import SubmitForm
from offers import forms as _offers_forms  # noqa: F401  (it registers the picker offer_community)
from people.forms import PersonForm
from places.forms import CommunityPickerField, PickerValue, place_picker
from places.services import place_create

pytestmark = pytest.mark.django_db


def pick(client, picker, text, name="place"):
    response = client.get(reverse("places:pick", args=[picker]), {"name": name, f"{name}_q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_an_entrance_by_initials_and_shows_its_path(client, tree):
    body = pick(client, "need", "1hl2dy")
    assert 'name="place" value="62010201000100100100102"' in body
    # From the community down; the grid and the building the entrance's name repeats are left out.
    assert "天庆嘉园社区 › 天庆嘉园A区 › 1号楼2单元" in body and "网格" not in body


def test_it_narrows_by_the_area_named_first_and_finds_by_code(client, tree, root):
    place_create(actor=root, kind="building", name="1号楼", code="620102010002001001001", parent=tree["compound2"])
    both = pick(client, "need", "1hl")
    assert "天庆嘉园A区 › 1号楼" in both and "五里铺东小区 › 1号楼" in both
    narrowed = pick(client, "need", "wlpdxq 1hl")
    assert "五里铺东小区 › 1号楼" in narrowed and "天庆嘉园A区" not in narrowed
    assert "天庆嘉园A区 › 1号楼2单元" in pick(client, "need", "62010201000100100100102")


def test_it_starts_the_path_below_the_staff_members_own_area(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    body = pick(client, "need", "1hl2dy")
    assert "天庆嘉园A区 › 1号楼2单元" in body and "天庆嘉园社区 ›" not in body


def test_it_offers_staff_only_the_places_of_their_area_and_the_form_refuses_others(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    assert "五里铺东小区" not in pick(client, "home", "wlpdxq")
    assert "天庆嘉园A区" in pick(client, "home", "tqjya")
    form = PersonForm({"name": "王秀英", "home": tree["compound2"].code}, user=accounts["community_staff"])
    assert not form.is_valid() and form.errors["home"] == ["该选项不可选：请重新搜索，并从列表中选择。"]
    assert "五里铺东小区" not in pick(client, "home", "wlpdxq")


def test_it_never_offers_a_place_above_a_community_for_a_need(client, tree):
    assert "拱星墩街道" not in pick(client, "need", "gxdjd")
    assert "天庆嘉园社区" in pick(client, "need", "tqjysq")


def test_it_takes_a_typed_name_without_javascript_and_lists_the_choices_when_several_match(tree, root):
    form = SubmitForm({"title": "楼道灯不亮", "affected": 1, "place_q": "1号楼2单元"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["place"] == tree["entrance"]
    place_create(actor=root, kind="building", name="1号楼", code="620102010002001001001", parent=tree["compound2"])
    form = SubmitForm({"title": "楼道灯不亮", "affected": 1, "place_q": "1号楼"})
    assert not form.is_valid() and "有多个选项与“1号楼”相符" in form.errors["place"][0]
    html = str(form["place"])
    assert html.count('type="radio" name="place"') >= 2  # choose one and send again
    form = SubmitForm({"title": "楼道灯不亮", "affected": 1, "place_q": "没有这个地方"})
    assert not form.is_valid() and "没有与“没有这个地方”相符的选项" in form.errors["place"][0]


def test_it_shows_the_chosen_place_checked_when_the_form_comes_back(tree):
    form = SubmitForm(initial={"place": tree["entrance"].code})
    html = str(form["place"])
    assert 'value="62010201000100100100102" checked' in html and "1号楼2单元" in html
    bound = SubmitForm({"title": "", "place": tree["entrance"].code, "place_q": "1hl"})
    assert not bound.is_valid() and "place" not in bound.errors
    assert bound["place"].value() == PickerValue(tree["entrance"].code, "1hl")


def test_a_typed_name_that_matches_one_comes_back_checked_and_a_filter_can_choose_none_again(tree):
    bound = SubmitForm({"title": "", "place_q": "1号楼2单元"})
    assert not bound.is_valid() and "place" not in bound.errors  # taken, as the field takes it
    assert 'value="62010201000100100100102" checked' in str(bound["place"])
    field = CommunityPickerField()
    field.offer("community", AnonymousUser())
    assert field.clean(field.widget.value_from_datadict({"community_q": "tqjy"}, {}, "community")) == tree["tqjy"]
    # the filter's own empty radio (全部社区) checked: none, whatever the box still says
    assert field.clean(field.widget.value_from_datadict({"community": "", "community_q": "tqjy"}, {},
                                                        "community")) is None


def test_it_answers_404_for_an_unknown_picker(client, tree):
    assert client.get(reverse("places:pick", args=["everyone"]), {"name": "x", "x_q": "1"}).status_code == 404


def test_it_searches_in_a_constant_number_of_queries(client, accounts, tree, root, django_assert_max_num_queries):
    client.force_login(accounts["community_staff"])

    def grow(start, n):
        for i in range(start, start + n):
            building = place_create(actor=root, kind="building", name=f"{i}号楼", code=f"620102010001001001{i:03d}",
                                    parent=tree["compound"])
            place_create(actor=root, kind="entrance", name=f"{i}号楼1单元", code=f"{building.code}01",
                         parent=building)

    grow(2, 2)
    pick(client, "need", "hl")  # the session is read on the first request
    with django_assert_max_num_queries(8) as few:
        assert pick(client, "need", "tqjya hl").count('type="radio"') == 6
    grow(5, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = pick(client, "need", "tqjya hl")
    assert body.count('type="radio"') == 8 and "还有更多相符的选项" in body  # the first 8 of 66


def test_the_community_pickers_tell_communities_of_one_name_apart_by_where_they_lie(client, tree, root,
                                                                                     django_assert_num_queries):
    """Names repeat across a city's subdistricts: each match reads its district and subdistrict under its name
    (not "社区"), read with the matches in a constant number of queries."""
    district = place_create(actor=root, kind="district", name="七里河区", code="620103", parent=tree["city"])
    subdistrict = place_create(actor=root, kind="subdistrict", name="西园街道", code="620103001", parent=district)

    def grow(start, n):
        for i in range(start, start + n):
            for parent in (tree["subdistrict"], subdistrict):
                place_create(actor=root, kind="community", name=f"东湖{i}号社区", code=f"{parent.code}{100 + i}",
                             parent=parent)

    grow(0, 1)
    pick(client, "community", "tqjy", name="community")
    with CaptureQueriesContext(connection) as few:
        body = pick(client, "community", "东湖", name="community")
    assert body.count('type="radio"') == 2 and len(few.captured_queries) <= 2  # the matches, the areas' names
    assert '东湖0号社区</span><span class="picker-detail">城关区 › 拱星墩街道</span>' in body
    assert '东湖0号社区</span><span class="picker-detail">七里河区 › 西园街道</span>' in body
    assert '<span class="picker-detail">社区</span>' not in body
    grow(1, 10)
    with django_assert_num_queries(len(few.captured_queries)):
        body = pick(client, "community", "东湖", name="community")
    assert body.count('type="radio"') == 8 and body.count("西园街道") + body.count("拱星墩街道") == 8
    # the filters' other picker of communities reads the same; the other place pickers still name the kind
    assert place_picker("offer_community", AnonymousUser()).areas
    assert '<span class="picker-detail">社区</span>' in pick(client, "need", "tqjysq")
