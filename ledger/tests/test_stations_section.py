"""The stations section: items lent and given out and stations by use (sites.figures), counted from loans and
give-outs made through sites.services, by scope (the station's place) and period (when it happened); every
form of the ledger carries it, the public one with station and item names only, never a borrower's."""

import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from django.urls import reverse

from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from people.services import person_create
from sites.services import item_create, loan_create, loan_return, site_create, stock_give_out, stock_receive

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = periods.year(2021)


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def stations(root, tree, unit):
    """Two stations in 天庆嘉园 and one in 五里铺东, with plasters and umbrellas; a 2021 history of each."""
    tqjy = site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"],
                       operator=unit["organisation"], opening_hours="每天 8:00–20:00")
    wlpd = site_create(actor=root, kind="station", name="五里铺东社区便民服务点", place=tree["compound2"],
                       opening_hours="每天 7:00–21:00")
    borrower = person_create(actor=root, name="借伞人甲", phone="13912345678", home=tree["entrance"], room="302",
                             is_resident=True)
    items = {}
    for site in (tqjy, wlpd):
        items[site.pk, "创可贴"] = item_create(actor=root, site=site, kind="consumable", name="创可贴", unit="片",
                                            stock=50, low_stock=5, at=at("2021-06-01 09:00"))
        items[site.pk, "雨伞"] = item_create(actor=root, site=site, kind="lendable", name="雨伞", unit="把", units=5,
                                           at=at("2021-06-01 09:00"))
    plasters, umbrellas = items[tqjy.pk, "创可贴"], items[tqjy.pk, "雨伞"]
    stock_receive(actor=root, item=plasters, quantity=20, at=at("2021-07-01 09:00"))  # a receipt: not given out
    stock_give_out(actor=root, item=plasters, quantity=3, person=borrower, at=at("2021-07-02 10:00"))
    stock_give_out(actor=root, item=plasters, quantity=2, recipient="过路人", at=at("2021-08-02 10:00"))
    first = loan_create(actor=root, item=umbrellas, person=borrower, at=at("2021-07-05 18:00"))
    loan_return(actor=root, loan=first, at=at("2021-07-06 09:00"))
    loan_create(actor=root, item=umbrellas, borrower_name="过路人乙", borrower_phone="13987654321",
                at=at("2021-12-31 20:00"))  # still out; 2021 by the day it was lent
    loan_create(actor=root, item=umbrellas, person=borrower, at=at("2022-01-01 09:00"))  # 2022
    stock_give_out(actor=root, item=items[wlpd.pk, "创可贴"], quantity=4, at=at("2021-09-09 10:00"))
    return {"tqjy": tqjy, "wlpd": wlpd, "borrower": borrower}


def figures(place, period=YEAR, public=True):
    return figures_by_key(ledger_build(place, period, public=public))


def tables(place, period=YEAR):
    return {t.key: t for b in ledger_build(place, period, public=True) for t in b.data.tables}


@pytest.mark.django_db
def test_it_counts_loans_and_give_outs_by_scope_and_period(stations, tree):
    tqjy = figures(tree["tqjy"])
    assert (tqjy["items_lent"], tqjy["items_given_out"], tqjy["station_uses"]) == (2, 5, 4)
    wlpd = figures(tree["wlpd"])
    assert (wlpd["items_lent"], wlpd["items_given_out"], wlpd["station_uses"]) == (0, 4, 1)
    sub = figures(tree["subdistrict"])
    assert (sub["items_lent"], sub["items_given_out"], sub["station_uses"]) == (2, 9, 5)
    july = figures(tree["tqjy"], periods.month(2021, 7))
    assert (july["items_lent"], july["items_given_out"]) == (1, 3)
    assert figures(tree["tqjy"], periods.year(2022))["items_lent"] == 1

    by_station = tables(tree["subdistrict"])["stations_by_use"].rows
    assert [(r["label"], r["uses"], r["lent"], r["given_out"]) for r in by_station] == [
        ("天庆嘉园便民驿站", 4, 2, 5), ("五里铺东社区便民服务点", 1, 0, 4)]
    by_item = tables(tree["subdistrict"])["station_items"].rows
    assert [(r["label"], r["lent"], r["given_out"]) for r in by_item] == [("创可贴", 0, 9), ("雨伞", 2, 0)]


@pytest.mark.django_db
def test_a_new_loan_shows_at_once_in_the_cached_ledger(stations, tree, root):
    before = figures(tree["tqjy"])["items_lent"]
    umbrellas = stations["tqjy"].items.get(name="雨伞")
    loan_create(actor=root, item=umbrellas, person=stations["borrower"], at=at("2021-10-01 09:00"))
    assert figures(tree["tqjy"])["items_lent"] == before + 1


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


@pytest.mark.django_db
def test_the_public_forms_name_stations_and_items_never_a_borrower(client, stations, tree):
    code = tree["tqjy"].code
    pages = [client.get(reverse("ledger:public", args=[code]), {"period": "2021"}).content.decode(),
             client.get(reverse("ledger:csv", args=[code]), {"period": "2021"}).getvalue().decode(),
             xlsx_text(client.get(reverse("ledger:xlsx", args=[code]), {"period": "2021"}).getvalue()),
             client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).content.decode()]
    for text in pages:
        assert "天庆嘉园便民驿站" in text
        for secret in ("借伞人甲", "13912345678", "过路人", "13987654321"):
            assert secret not in text
    data = client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).json()
    assert data["figures"]["items_lent"] == 2 and data["figures"]["station_uses"] == 4
    rows = next(t for s in data["sections"] for t in s["tables"] if t["key"] == "stations_by_use")["rows"]
    assert rows == [{"label": "天庆嘉园便民驿站", "uses": 4, "lent": 2, "given_out": 5}]
    # The public follows each station to its page, the figures to the list of stations.
    assert f'<a href="/sites/{stations["tqjy"].pk}/">天庆嘉园便民驿站</a>' in pages[0]
    assert 'href="/sites/?kind=station" data-figure="items_lent"' in pages[0]


@pytest.mark.django_db
def test_staff_follow_each_figure_to_its_loans_give_outs_and_stations(client, stations, tree, accounts):
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("ledger:dashboard"), {"period": "2021"}).content.decode()
    links = {figure: url.replace("&amp;", "&") for url, figure in
             re.findall(r'href="(/ledger/records/\?[^"]*figure=(items_lent|items_given_out|station_uses))"', page)}
    assert set(links) == {"items_lent", "items_given_out", "station_uses"}
    loans = client.get(links["items_lent"]).content.decode()
    assert loans.count("雨伞") == 2 and "借伞人甲" not in loans and "13987654321" not in loans
    given = client.get(links["items_given_out"]).content.decode()
    assert given.count("创可贴") == 2
    used = client.get(links["station_uses"]).content.decode()
    assert reverse("sites:detail", args=[stations["tqjy"].pk]) in used
    assert "五里铺东社区便民服务点" not in used  # another community's station
    one = client.get(reverse("ledger:records"), {"place": tree["tqjy"].code, "period": "2021", "figure": "items_lent",
                                                 "site": stations["wlpd"].pk}).content.decode()
    assert "雨伞" not in one
    assert client.get(reverse("ledger:records"), {"place": tree["tqjy"].code, "period": "2021",
                                                  "figure": "items_lent", "site": "x"}).status_code == 400
