"""A site's QR code and poster (sites.posters, sites.poster_views): the short address, the QR card on its page
with "report a problem here" and what a station lends and gives out, the poster PDF, and the refusals in words."""

import pytest

from core.models import Event
from places.tests import qr
from sites.services import item_create, item_update, site_create

pytestmark = pytest.mark.django_db
BASE = "http://testserver"


@pytest.fixture
def items(root, station, plasters, umbrellas):
    item_create(actor=root, site=station, kind="lendable", name="血压计", unit="台", units=1)
    old = item_create(actor=root, site=station, kind="lendable", name="轮椅", unit="台", units=1)
    item_update(actor=root, item=old, active=False)  # no longer offered: not listed
    return station


def test_the_short_address_opens_the_sites_page(client, station):
    got = client.get(f"/s/{station.pk}")
    assert got.status_code == 302 and got["Location"] == f"/sites/{station.pk}/"


@pytest.mark.parametrize("pk", ["999999", "0", "9223372036854775807"])
def test_a_short_address_of_no_site_is_a_404_with_words(client, db, pk):
    got = client.get(f"/s/{pk}")
    assert got.status_code == 404 and "没有编号为" in got.content.decode()


def test_a_stations_page_shows_its_code_what_it_lends_and_report_here(client, tree, items):
    station = items
    page = client.get(f"/sites/{station.pk}/").content.decode()  # a visitor: the page is public
    assert qr.svg_modules(page) == qr.expected(f"{BASE}/s/{station.pk}")
    assert f'href="/needs/submit/?place={tree["compound"].code}"' in page and "在这里反映问题" in page
    # What it lends and gives out: the page's "available now" (sites.views), else the QR card's list.
    assert all(name in page for name in ("血压计", "雨伞", "创可贴")) and "轮椅" not in page
    assert "打印二维码海报" not in page  # for its staff


def test_a_station_without_items_says_so_and_a_facility_lists_none(client, root, tree, station):
    assert client.get(f"/sites/{station.pk}/").content.decode().count("本驿站尚未登记物品") == 1
    facility = site_create(actor=root, kind="facility", name="天庆嘉园健身器材", place=tree["compound"])
    page = client.get(f"/sites/{facility.pk}/").content.decode()
    assert "可借" not in page and "尚未登记物品" not in page and "<svg" in page


def test_its_staff_see_the_print_button(client, accounts, station):
    client.force_login(accounts["community_staff"])
    page = client.get(f"/sites/{station.pk}/").content.decode()
    assert "打印二维码海报" in page and f"/sites/{station.pk}/poster.pdf?size=a4" in page
    client.force_login(accounts["other_community_staff"])
    assert "打印二维码海报" not in client.get(f"/sites/{station.pk}/").content.decode()


@pytest.mark.parametrize("size, width", [("a4", 595), ("a5", 420)])
def test_a_stations_poster_says_what_to_scan_for_and_what_it_lends(client, items, size, width):
    station, url = items, f"{BASE}/s/{items.pk}"
    events = Event.objects.count()
    got = client.get(f"/sites/{station.pk}/poster.pdf", {"size": size})
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    [page] = qr.pdf_pages(got.content)
    words = qr.text(page)
    for shown in ("天庆嘉园便民驿站", "扫码反映问题", "扫码查看可借物品", url, "可借：血压计、雨伞", "免费领取：创可贴",
                  "开放时间：周一至周五 9:00–17:00", "拱星墩街道 天庆嘉园社区", "天庆嘉园社区 › 天庆嘉园A区"):
        assert shown in words, shown
    assert qr.page_modules(page) == qr.expected(url)
    assert round(float(page.mediabox[2])) == width
    assert qr.embedded_fonts(page)
    assert Event.objects.count() == events


def test_a_facilitys_poster_has_no_borrowing(client, root, tree):
    facility = site_create(actor=root, kind="micro_position", name="天庆嘉园党建长廊", place=tree["grid1"])
    [page] = qr.pdf_pages(client.get(f"/sites/{facility.pk}/poster.pdf").content)
    assert "扫码反映问题" in qr.text(page) and "可借" not in qr.text(page)


def test_a_poster_of_no_site_or_of_a_bad_size_refuses_in_words(client, station):
    got = client.get("/sites/999999/poster.pdf")
    assert got.status_code == 404 and "没有编号为 999999 的驿站、设施或微阵地" in got.content.decode()
    got = client.get(f"/sites/{station.pk}/poster.pdf", {"size": "a0"})
    assert got.status_code == 400 and "A4 或 A5" in got.content.decode()
    assert client.post(f"/sites/{station.pk}/poster.pdf").status_code == 405


def test_a_communitys_batch_prints_its_stations_with_their_items(client, accounts, tree, items):
    client.force_login(accounts["community_staff"])
    pages = qr.pdf_pages(client.get(f"/places/{tree['tqjy'].code}/posters.pdf").content)
    [page] = [p for p in pages if "天庆嘉园便民驿站" in qr.text(p)]
    assert "可借：血压计、雨伞" in qr.text(page) and qr.page_modules(page) == qr.expected(f"{BASE}/s/{items.pk}")


def test_a_station_with_many_items_still_has_a_one_page_poster(client, root, station):
    for n in range(12):
        item_create(actor=root, site=station, kind="lendable", name=f"物品{n:02d}号", units=1)
    pages = qr.pdf_pages(client.get(f"/sites/{station.pk}/poster.pdf").content)
    assert len(pages) == 1 and "等12种" in qr.text(pages[0]) and "物品07号" in qr.text(pages[0])
    assert "物品08号" not in qr.text(pages[0])


def test_a_long_name_still_has_a_one_page_poster(client, root, tree):
    site = site_create(actor=root, kind="station", name="天庆嘉园社区党群服务中心新时代文明实践站便民服务驿站" * 2,
                       place=tree["compound"], opening_hours="周一至周日 8:00–20:00（节假日 9:00–17:00）")
    assert len(qr.pdf_pages(client.get(f"/sites/{site.pk}/poster.pdf", {"size": "a5"}).content)) == 1
