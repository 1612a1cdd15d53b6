"""The stations in the API: public list and detail (no borrower), the operators' loans and stock movements."""

import datetime

import pytest
from django.utils import timezone

from core.models import Event
from people.masking import mask_name
from sites.models import Item, Loan, StockMovement
from sites.services import loan_create, site_create

pytestmark = pytest.mark.django_db


def api(client, user=None):
    if user is not None:
        client.force_login(user)
    return client


def test_the_list_is_public_with_a_community_filter_and_search(client, root, tree, station):
    site_create(actor=root, kind="station", name="五里铺东社区便民服务点", place=tree["compound2"])
    site_create(actor=root, kind="facility", name="健身路径", place=tree["compound2"])
    got = client.get("/api/v1/stations").json()
    assert got["count"] == 2 and {s["name"] for s in got["items"]} == {"天庆嘉园便民驿站", "五里铺东社区便民服务点"}
    got = client.get("/api/v1/stations", {"community": "620102010002"}).json()
    assert [s["name"] for s in got["items"]] == ["五里铺东社区便民服务点"]
    assert got["items"][0]["community"] == "620102010002"
    got = client.get("/api/v1/stations", {"q": "tqjy"}).json()
    assert [s["name"] for s in got["items"]] == ["天庆嘉园便民驿站"]
    assert client.get("/api/v1/stations", {"limit": 1, "offset": 1}).json()["count"] == 2
    assert client.get("/api/v1/stations", {"community": "abc"}).status_code == 422


def test_a_token_sent_must_be_valid_though_the_stations_are_public(client, station):
    for url in ("/api/v1/stations", f"/api/v1/stations/{station.pk}"):
        bad = client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token")
        assert bad.status_code == 401 and "令牌" in bad.json()["detail"]


def test_a_station_shows_what_is_available_and_names_no_borrower(client, accounts, station, plasters, umbrellas):
    loan_create(actor=accounts["unit_admin"], item=umbrellas, borrower_name="李建国", borrower_phone="13800001111")
    response = client.get(f"/api/v1/stations/{station.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["opening_hours"] == "周一至周五 9:00–17:00" and body["operator"] == "兰州电影制片厂"
    items = {i["name"]: i for i in body["items"]}
    assert items["创可贴"]["available"] == 10 and items["雨伞"] == {
        "id": umbrellas.pk, "kind": "lendable", "name": "雨伞", "unit": "把", "available": 1, "units": 2}
    assert "李建国" not in response.content.decode()
    assert client.get("/api/v1/stations/999999").status_code == 404


def test_the_loans_are_the_operators_only(client, accounts, station, umbrellas):
    loan_create(actor=accounts["unit_admin"], item=umbrellas, borrower_name="李建国", borrower_phone="13800001111",
                at=timezone.now() - datetime.timedelta(days=5))
    url = f"/api/v1/stations/{station.pk}/loans"
    assert client.get(url).status_code == 401
    for role in ("resident", "grid_worker", "other_community_staff"):
        assert api(client, accounts[role]).get(url).status_code == 404
    got = api(client, accounts["unit_admin"]).get(url).json()
    assert got["count"] == 1 and got["items"][0]["borrower"] == "李建国 13800001111"
    assert got["items"][0]["overdue"] is True
    assert api(client).get(url, {"state": "overdue"}).json()["count"] == 1
    assert api(client).get(url, {"state": "nonsense"}).status_code == 422


def test_lending_and_returning_through_the_api(client, accounts, station, umbrellas):
    api(client, accounts["unit_admin"])
    url = f"/api/v1/stations/{station.pk}/loans"
    body = {"item": umbrellas.pk, "borrower_name": "张先生", "borrower_phone": "13700003333"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    loan_id = response.json()["id"]
    client.post(url, body, content_type="application/json")
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 422 and "雨伞已全部借出" in response.content.decode()
    assert Loan.objects.count() == 2
    response = client.post(f"/api/v1/loans/{loan_id}/return")
    assert response.status_code == 200 and response.json()["returned_at"]
    response = client.post(f"/api/v1/loans/{loan_id}/return")
    assert response.status_code == 422 and "已经归还" in response.content.decode()
    assert client.post("/api/v1/loans/999999/return").status_code == 404


@pytest.mark.parametrize("body, status", [
    ({"item": 0}, 422),
    ({"due_on": "2020-01-01"}, 422),
    ({"due_on": "not a date"}, 422),
    ({"borrower_phone": "1" * 21}, 422),
    ({"actor": 1}, 422),
    ({"person": 999999}, 422),
])
def test_bad_loans_are_refused_with_words_and_write_nothing(client, accounts, station, umbrellas, body, status):
    api(client, accounts["unit_admin"])
    payload = {"item": umbrellas.pk, "borrower_name": "张先生", "borrower_phone": "13700003333", **body}
    events = Event.objects.count()
    response = client.post(f"/api/v1/stations/{station.pk}/loans", payload, content_type="application/json")
    assert response.status_code == status and response.json()["detail"]
    assert Event.objects.count() == events and not Loan.objects.exists()


def test_a_write_on_a_station_one_does_not_run_is_403(client, accounts, station, umbrellas, plasters):
    api(client, accounts["resident"])
    assert client.post(f"/api/v1/stations/{station.pk}/loans", {"item": umbrellas.pk},
                       content_type="application/json").status_code == 403
    assert client.post(f"/api/v1/stations/{station.pk}/stock", {"item": plasters.pk, "kind": "received",
                                                                 "quantity": 1},
                       content_type="application/json").status_code == 403
    assert Item.objects.get(pk=plasters.pk).stock == 10


def test_stock_movements_through_the_api(client, accounts, station, plasters, umbrellas):
    api(client, accounts["unit_admin"])
    url = f"/api/v1/stations/{station.pk}/stock"
    got = client.post(url, {"item": plasters.pk, "kind": "given_out", "quantity": 4}, content_type="application/json")
    assert got.status_code == 201 and got.json()["stock_after"] == 6 and got.json()["change"] == -4
    got = client.post(url, {"item": plasters.pk, "kind": "given_out", "quantity": 7}, content_type="application/json")
    assert got.status_code == 422 and "库存仅剩6片" in got.content.decode()
    got = client.post(url, {"item": plasters.pk, "kind": "adjusted", "quantity": 5}, content_type="application/json")
    assert got.status_code == 422 and "原因" in got.content.decode()
    got = client.post(url, {"item": plasters.pk, "kind": "adjusted", "quantity": 5, "reason": "盘点"},
                      content_type="application/json")
    assert got.status_code == 201 and got.json()["stock_after"] == 5
    got = client.post(url, {"item": umbrellas.pk, "kind": "given_out", "quantity": 1}, content_type="application/json")
    assert got.status_code == 422
    got = client.post(url, {"item": plasters.pk, "kind": "received", "quantity": 10_001},
                      content_type="application/json")
    assert got.status_code == 422
    assert StockMovement.objects.filter(item=plasters).count() == 3


# --- What the desk reads: the stations one runs, the items' stock, the stock movements ---

def test_the_stations_i_run_are_my_units_and_my_areas(client, root, accounts, tree, station):
    other = site_create(actor=root, kind="station", name="五里铺东社区便民服务点", place=tree["compound2"])
    url = "/api/v1/stations/operated"
    assert client.get(url).status_code == 401
    ran = lambda role: [s["id"] for s in api(client, accounts[role]).get(url).json()["items"]]  # noqa: E731
    assert ran("unit_admin") == [station.pk] and ran("community_staff") == [station.pk]
    assert ran("other_community_staff") == [other.pk]
    assert ran("resident") == [] and ran("grid_worker") == []
    page = api(client, accounts["subdistrict_admin"]).get(url, {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and [s["name"] for s in page["items"]] == ["天庆嘉园便民驿站"]  # by name
    assert api(client, accounts["subdistrict_admin"]).get(url, {"limit": 0}).status_code == 422


def test_the_items_with_their_stock_and_loans_out_are_the_operators_only(client, accounts, station, plasters,
                                                                        umbrellas):
    loan_create(actor=accounts["unit_admin"], item=umbrellas, borrower_name="李建国", borrower_phone="13800001111")
    url = f"/api/v1/stations/{station.pk}/items"
    body = api(client, accounts["unit_admin"]).get(url).json()
    items = {i["name"]: i for i in body["items"]}
    assert (items["创可贴"]["stock"], items["创可贴"]["low_stock"], items["创可贴"]["is_low"]) == (10, 3, False)
    assert (items["雨伞"]["units"], items["雨伞"]["out"], items["雨伞"]["loan_days"]) == (2, 1, 3)
    client.logout()
    assert client.get(url).status_code == 401
    for role in ("resident", "grid_worker", "other_community_staff"):
        assert api(client, accounts[role]).get(url).status_code == 404
    assert api(client, accounts["unit_admin"]).get("/api/v1/stations/999999/items").status_code == 404


def test_the_stock_movements_newest_first_recipient_masked_and_by_item(client, root, accounts, station, plasters,
                                                                        tree):
    from people.services import person_create
    from sites.services import item_create, stock_give_out, stock_receive

    water = item_create(actor=root, site=station, kind="consumable", name="矿泉水", unit="瓶", stock=5)
    person = person_create(actor=root, name="王秀兰", phone="13900001234", home=tree["entrance"])
    stock_give_out(actor=accounts["community_staff"], item=plasters, quantity=2, person=person)
    stock_receive(actor=accounts["unit_admin"], item=water, quantity=4, reason="捐赠")
    stock_give_out(actor=accounts["unit_admin"], item=plasters, quantity=1, recipient="过路的老人")
    url = f"/api/v1/stations/{station.pk}/stock"
    response = api(client, accounts["community_staff"]).get(url)
    body = response.json()
    assert body["count"] == StockMovement.objects.filter(item__site=station).count()
    first, second, third = body["items"][:3]
    assert (first["item"], first["change"], first["recipient"]) == (plasters.pk, -1, "过路的老人")
    assert (second["item"], second["kind"], second["reason"], second["stock_after"]) == (water.pk, "received",
                                                                                           "捐赠", 9)
    assert (third["change"], third["recipient"]) == (-2, mask_name("王秀兰"))
    assert "王秀兰" not in response.content.decode()
    by_item = api(client, accounts["community_staff"]).get(url, {"item": water.pk, "limit": 1}).json()
    assert by_item["count"] == StockMovement.objects.filter(item=water).count()
    assert [m["item"] for m in by_item["items"]] == [water.pk]
    for role in ("resident", "other_community_staff"):
        assert api(client, accounts[role]).get(url).status_code == 404
    assert api(client, accounts["unit_admin"]).get(url, {"item": 0}).status_code == 422
