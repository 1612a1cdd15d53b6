"""The claim board's map: the grids coloured by the board's public needs only; a click filters the board."""

import json
import re

import pytest
from django.urls import reverse

from needs.services import need_act, need_submit

pytestmark = pytest.mark.django_db


def board_map(client, **params):
    page = client.get(reverse("needs:board_map"), params).content.decode()
    found = re.search(r'<script id="board-grid-map" type="application/json">(.*?)</script>', page)
    return json.loads(found.group(1)) if found else page


def test_it_counts_only_the_public_needs_of_the_boards_tab(client, published, accounts, tree, category, unit):
    staff = accounts["community_staff"]
    private = need_submit(actor=accounts["resident"], title="邻里纠纷", place=tree["building"], is_public=False)
    need_act(actor=staff, need=need_act(actor=staff, need=private, action="accept", category=category,
                                        concern_level="worry"), action="dispatch", organisation=unit["organisation"])
    need_submit(actor=accounts["resident"], title="还没受理", place=tree["building"])
    spec = board_map(client)
    assert [(a["name"], a["values"]) for a in spec["areas"]] == [("天庆嘉园第一网格", [1])]  # the published one
    assert board_map(client, tab="working")["areas"][0]["values"] == [0]  # the private one is not counted


def test_it_filters_the_board_to_the_grid_clicked(client, published, tree):
    area = board_map(client, tab="open", category="")["areas"][0]
    assert area["url"].startswith(reverse("needs:board") + "?")
    assert f"community={tree['tqjy'].code}" in area["url"] and f"grid={tree['grid1'].code}" in area["url"]
    page = client.get(area["url"]).content.decode()
    assert reverse("needs:detail", args=[published.pk]) in page
    assert board_map(client, community=tree["tqjy"].code, grid=tree["grid1"].code)["selected"] == tree["grid1"].code


def test_it_says_so_when_the_chosen_community_has_no_map(client, tree):
    assert "此处没有地图" in board_map(client, community=tree["wlpd"].code)
