"""GET /api/v1/places: search by name, pinyin and initials; filters; one place; constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.services import api_token_issue


@pytest.fixture
def auth(accounts):
    token, _row = api_token_issue(user=accounts["resident"])
    return {"Authorization": f"Bearer {token}"}


def names(response):
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["items"]]


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["tqjy", "TQJY", "tianqing", "天庆", "tian qing jia"])
def test_it_finds_tianqing_jiayuan_by_name_pinyin_and_initials(client, auth, q):
    assert "天庆嘉园社区" in names(client.get("/api/v1/places", {"q": q}, headers=auth))


@pytest.mark.django_db
def test_it_returns_code_kind_parent_and_figures(client, auth):
    response = client.get("/api/v1/places", {"q": "tqjy", "kind": "community"}, headers=auth)
    assert response.json() == {"count": 1, "items": [{
        "code": "620102010001", "kind": "community", "name": "天庆嘉园社区", "parent": "620102010",
        "area_km2": 0.45, "buildings": 52, "households": 2465, "residents": 7792}]}


@pytest.mark.django_db
def test_it_lists_the_children_of_a_parent(client, auth):
    assert names(client.get("/api/v1/places", {"parent": "620102010"}, headers=auth)) == [
        "天庆嘉园社区", "五里铺东社区"]


@pytest.mark.django_db
def test_it_pages_with_limit_and_offset(client, auth):
    everything = names(client.get("/api/v1/places", {"limit": 500}, headers=auth))
    page = client.get("/api/v1/places", {"limit": 3, "offset": 2}, headers=auth).json()
    assert page["count"] == len(everything)
    assert [p["name"] for p in page["items"]] == everything[2:5]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"kind": "planet"}])
def test_it_refuses_bad_parameters_in_the_one_error_shape(client, auth, params):
    response = client.get("/api/v1/places", params, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("请求内容有误")


@pytest.mark.django_db
def test_it_costs_the_same_queries_for_one_place_or_many(client, auth, tree, root):
    from places.services import place_create

    def queries(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert len(names(client.get("/api/v1/places", {"limit": limit}, headers=auth))) == limit
        return len(ctx.captured_queries)

    queries(1)  # a token's first use also records when it was used (people/api.py, at most every 5 minutes)
    few = queries(1)
    for n in range(20):
        place_create(actor=root, kind="building", name=f"{n + 2}号楼", code=f"620102010001001001{n + 2:03}",
                     parent=tree["compound"])
    assert queries(25) == few


@pytest.mark.django_db
def test_it_reads_one_place_by_code(client, auth):
    response = client.get("/api/v1/places/620102010001001", headers=auth)
    assert response.status_code == 200
    assert response.json()["parent"] == "620102010001"
    assert response.json()["name"] == "天庆嘉园第一网格"


@pytest.mark.django_db
def test_it_says_in_chinese_when_a_code_is_unknown(client, auth):
    response = client.get("/api/v1/places/999999", headers=auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "找不到编码为 999999 的地点 / No place has the code 999999"}


@pytest.mark.django_db
def test_it_needs_a_token(client, tree):
    assert client.get("/api/v1/places").status_code == 401
    assert client.get("/api/v1/places/620102010001").status_code == 401


@pytest.mark.django_db
def test_it_walks_the_tree_down_from_the_subdistrict_to_the_grids(client, auth):
    communities = client.get("/api/v1/places/620102010/children", headers=auth).json()
    assert communities["count"] == 2
    assert [(p["name"], p["parent"]) for p in communities["items"]] == [
        ("天庆嘉园社区", "620102010"), ("五里铺东社区", "620102010")]
    grids = client.get(f"/api/v1/places/{communities['items'][0]['code']}/children", headers=auth).json()
    assert [(p["name"], p["kind"]) for p in grids["items"]] == [("天庆嘉园第一网格", "grid")]


@pytest.mark.django_db
def test_the_children_are_paged_and_a_leaf_has_none(client, auth):
    page = client.get("/api/v1/places/620102010/children", {"limit": 1, "offset": 1}, headers=auth).json()
    assert page["count"] == 2 and [p["name"] for p in page["items"]] == ["五里铺东社区"]
    leaf = client.get("/api/v1/places/62010201000100100100102/children", headers=auth).json()
    assert leaf == {"count": 0, "items": []}


@pytest.mark.django_db
@pytest.mark.parametrize("code, status", [("999999999999", 404), ("tqjy", 422), ("6201", 200)])
def test_the_children_of_a_missing_or_malformed_code_answer_in_the_error_shape(client, auth, code, status):
    response = client.get(f"/api/v1/places/{code}/children", {"limit": 5}, headers=auth)
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    if status != 200:
        assert "detail" in response.json()


@pytest.mark.django_db
def test_the_children_need_a_token_as_the_other_place_operations(client, tree):
    response = client.get("/api/v1/places/620102010/children")
    assert response.status_code == 401 and response.json()["detail"].startswith("需要有效的 API 令牌")
