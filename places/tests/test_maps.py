"""The map of the grids (places.maps): the grids that have a boundary, with their figures and where a click leads."""

import pytest

from places import maps
from places.maps import grid_map
from places.services import place_update

pytestmark = pytest.mark.django_db
METRICS = [("needs", "需求"), ("overdue", "超期")]


def url(code):
    return f"/to/{code}"


def test_it_maps_the_grids_that_have_a_boundary_with_their_figures(tree):
    grid1 = tree["grid1"]
    spec = grid_map(tree["subdistrict"], figures={grid1.code: {"needs": 3}}, metrics=METRICS, url=url)
    assert [f["properties"]["name"] for f in spec["features"]["features"]] == [grid1.code]  # grid2 has none
    assert spec["features"]["features"][0]["geometry"] == grid1.geometry
    assert spec["areas"] == [{"code": grid1.code, "name": "天庆嘉园第一网格", "short": "第一网格",
                              "url": f"/to/{grid1.code}", "values": [3, 0]}]
    assert spec["metrics"] == [{"key": "needs", "label": "需求"}, {"key": "overdue", "label": "超期"}]


def test_it_names_the_grids_in_full_when_the_map_spans_communities(tree, root):
    place_update(actor=root, place=tree["grid2"], geometry={"type": "Polygon", "coordinates": [
        [[103.89, 36.05], [103.90, 36.05], [103.90, 36.06], [103.89, 36.06], [103.89, 36.05]]]})
    spec = grid_map(None, figures={}, metrics=METRICS, url=url, selected=tree["grid2"].code)
    assert [a["short"] for a in spec["areas"]] == ["天庆嘉园第一网格", "五里铺东第一网格"]
    assert spec["selected"] == tree["grid2"].code
    assert [a["short"] for a in grid_map(tree["wlpd"], figures={}, metrics=METRICS, url=url)["areas"]] == ["第一网格"]


def test_it_draws_no_map_without_boundaries_or_of_too_many_grids(tree, monkeypatch):
    assert grid_map(tree["wlpd"], figures={}, metrics=METRICS, url=url) is None
    monkeypatch.setattr(maps, "MAP_GRID_LIMIT", 0)
    assert grid_map(tree["tqjy"], figures={}, metrics=METRICS, url=url) is None
