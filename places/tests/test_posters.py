"""A place's QR code and posters (places.posters, places.poster_views): the short address, the QR card on the
place's page, one place's poster (public), a community's batch (its staff's), and the refusals in words."""

import pytest
from django.urls import reverse

from core import fonts
from core.models import Event
from places import posters
from places.tests import qr
from sites.services import site_create

pytestmark = pytest.mark.django_db
BASE = "http://testserver"


def short(place) -> str:
    return f"{BASE}/p/{place.code}"


# --- The short address ----------------------------------------------------------------------------------------

def test_the_short_address_opens_the_page_for_the_signed_in_and_the_form_for_a_visitor(client, tree, accounts):
    building = tree["building"]
    got = client.get(f"/p/{building.code}")
    assert got.status_code == 302 and got["Location"] == f"/needs/submit/?place={building.code}"
    form = client.get(got["Location"])
    assert "1号楼" in form.content.decode() and 'name="from_qr"' in form.content.decode()
    client.force_login(accounts["resident"])
    assert client.get(f"/p/{building.code}")["Location"] == f"/places/{building.code}/"
    assert reverse("place_short", args=[building.code]) == f"/p/{building.code}"


def test_a_subdistrict_has_no_form_to_lead_to_so_its_address_opens_its_page(client, tree):
    got = client.get(f"/p/{tree['subdistrict'].code}")
    assert got["Location"] == f"/places/{tree['subdistrict'].code}/"  # then the sign-in page


@pytest.mark.parametrize("code", ["999999999999", "abc", "长" * 40])
def test_a_short_address_of_no_place_is_a_404_with_words(client, tree, code):
    got = client.get(f"/p/{code}")
    assert got.status_code == 404
    assert "没有编码为" in got.content.decode() and "可能已被删除" in got.content.decode()


# --- The place's page ----------------------------------------------------------------------------------------

def test_the_place_page_shows_the_code_of_its_short_address_and_report_here(client, tree, accounts):
    building = tree["building"]
    client.force_login(accounts["community_staff"])
    page = client.get(f"/places/{building.code}/").content.decode()
    assert qr.svg_modules(page) == qr.expected(short(building))  # the code on the page opens /p/<code>
    assert short(building) in page
    assert f'href="/needs/submit/?place={building.code}"' in page and "在这里反映问题" in page
    assert "打印二维码海报" in page and f"/places/{building.code}/poster.pdf?size=a5" in page
    assert "打印本社区全部海报" not in page  # that is the community's
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert " style=" not in svg and 'role="img"' in svg  # the Content-Security-Policy: no style attribute
    community = client.get(f"/places/{tree['tqjy'].code}/").content.decode()
    assert "打印本社区全部海报" in community and f"/places/{tree['tqjy'].code}/posters.pdf" in community


def test_who_may_not_change_the_place_sees_the_code_but_no_print_button(client, tree, accounts):
    for who in ("grid_worker", "resident", "other_community_staff"):
        client.force_login(accounts[who])
        page = client.get(f"/places/{tree['tqjy'].code}/").content.decode()
        assert qr.svg_modules(page) == qr.expected(short(tree["tqjy"])), who
        assert "打印二维码海报" not in page and "打印本社区全部海报" not in page, who


def test_a_subdistrict_has_no_poster_card(client, tree, accounts):
    client.force_login(accounts["subdistrict_admin"])
    page = client.get(f"/places/{tree['subdistrict'].code}/").content.decode()
    assert "<svg" not in page and "打印二维码海报" not in page


# --- One place's poster ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, points", [("a4", (595, 842)), ("a5", (420, 595))])
def test_a_poster_is_a_pdf_with_the_name_the_address_and_its_code(client, tree, size, points):
    building = tree["building"]
    events = Event.objects.count()
    got = client.get(f"/places/{building.code}/poster.pdf", {"size": size})  # a visitor: a poster is public
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    [page] = qr.pdf_pages(got.content)
    assert tuple(round(float(v)) for v in page.mediabox[2:]) == points
    words = qr.text(page)
    for shown in ("1号楼", "天庆嘉园社区 › 天庆嘉园A区", "扫码反映问题", short(building), "拱星墩街道 天庆嘉园社区",
                  "楼栋"):
        assert shown in words, shown
    assert "扫码查看可借物品" not in words  # a station's words
    assert qr.page_modules(page) == qr.expected(short(building))
    assert any("WenQuanYi" in f or "Noto" in f for f in qr.embedded_fonts(page))  # the Chinese font, embedded
    assert Event.objects.count() == events


def test_a_poster_without_size_is_a4(client, tree):
    [page] = qr.pdf_pages(client.get(f"/places/{tree['grid1'].code}/poster.pdf").content)
    assert round(float(page.mediabox[3])) == 842


@pytest.mark.parametrize("size", ["a3", "A6", "长" * 50, "a4 "])
def test_a_size_not_a4_or_a5_is_a_400_with_words(client, tree, size):
    got = client.get(f"/places/{tree['building'].code}/poster.pdf", {"size": size})
    if size.strip().lower() == "a4":
        assert got.status_code == 200  # spaces and case forgiven
        return
    assert got.status_code == 400 and "海报尺寸只能是 A4 或 A5" in got.content.decode()


def test_a_poster_of_no_place_or_of_a_place_without_one_is_a_404_with_words(client, tree):
    got = client.get("/places/620102010099/poster.pdf")
    assert got.status_code == 404 and "没有编码为“620102010099”的地点" in got.content.decode()
    got = client.get(f"/places/{tree['subdistrict'].code}/poster.pdf")
    assert got.status_code == 404 and "拱星墩街道没有海报" in got.content.decode()


def test_without_a_chinese_font_the_pdf_says_so(client, tree, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    got = client.get(f"/places/{tree['building'].code}/poster.pdf")
    assert got.status_code == 503 and "没有安装中文字体" in got.content.decode()


def test_an_entrance_has_a_poster_of_its_own(client, tree):
    [page] = qr.pdf_pages(client.get(f"/places/{tree['entrance'].code}/poster.pdf").content)
    assert "1号楼2单元" in qr.text(page) and qr.page_modules(page) == qr.expected(short(tree["entrance"]))


# --- A community's batch ---------------------------------------------------------------------------------------

def test_a_communitys_batch_has_its_places_down_to_the_building_then_its_sites(client, root, tree, accounts):
    site = site_create(actor=root, kind="facility", name="天庆嘉园健身广场", place=tree["compound"])
    client.force_login(accounts["community_staff"])
    events = Event.objects.count()
    got = client.get(f"/places/{tree['tqjy'].code}/posters.pdf", {"size": "a5"})
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    pages = qr.pdf_pages(got.content)
    expected = [(p.name, short(p)) for p in (tree["tqjy"], tree["grid1"], tree["compound"], tree["building"])]
    expected.append((site.name, f"{BASE}/s/{site.pk}"))
    assert len(pages) == len(expected) == int(got["X-Posters"])  # not the entrance, nor the other community
    for page, (name, url) in zip(pages, expected, strict=True):
        assert name in qr.text(page) and url in qr.text(page)
        assert qr.page_modules(page) == qr.expected(url), name
        assert round(float(page.mediabox[2])) == 420
    assert Event.objects.count() == events


def test_a_batch_of_a_grid_is_the_grids(client, tree, accounts):
    client.force_login(accounts["subdistrict_admin"])
    pages = qr.pdf_pages(client.get(f"/places/{tree['grid2'].code}/posters.pdf").content)
    assert [p.extract_text().count("五里铺东") > 0 for p in pages] == [True, True]  # the grid, its compound


def test_only_the_places_staff_print_its_batch(client, tree, accounts):
    url = f"/places/{tree['tqjy'].code}/posters.pdf"
    assert client.get(url)["Location"].startswith("/login/")
    for who, status in (("subdistrict_admin", 200), ("community_staff", 200), ("other_community_staff", 403),
                        ("grid_worker", 403), ("unit_admin", 403), ("resident", 403)):
        client.force_login(accounts[who])
        assert client.get(url).status_code == status, who


def test_a_batch_refuses_in_words(client, tree, accounts):
    client.force_login(accounts["subdistrict_admin"])
    got = client.get("/places/620102010099/posters.pdf")
    assert got.status_code == 404 and "没有编码为" in got.content.decode()
    got = client.get(f"/places/{tree['subdistrict'].code}/posters.pdf")
    assert got.status_code == 400 and "海报按社区打印" in got.content.decode()
    got = client.get(f"/places/{tree['tqjy'].code}/posters.pdf", {"size": "letter"})
    assert got.status_code == 400 and "A4 或 A5" in got.content.decode()


def test_posters_are_read_only(client, tree, accounts):
    client.force_login(accounts["community_staff"])
    for url in (f"/places/{tree['tqjy'].code}/posters.pdf", f"/places/{tree['tqjy'].code}/poster.pdf",
                f"/p/{tree['tqjy'].code}"):
        assert client.post(url).status_code == 405, url


def test_posters_base_url_is_the_address_printed_and_coded(client, tree, accounts, settings):
    settings.POSTERS_BASE_URL = "https://minsheng.example.cn"
    url = f"https://minsheng.example.cn/p/{tree['building'].code}"
    [page] = qr.pdf_pages(client.get(f"/places/{tree['building'].code}/poster.pdf").content)
    assert url in qr.text(page) and qr.page_modules(page) == qr.expected(url)
    client.force_login(accounts["community_staff"])
    assert qr.svg_modules(client.get(f"/places/{tree['building'].code}/").content.decode()) == qr.expected(url)


def test_a_large_batch_prints_in_parts(client, root, tree, accounts, monkeypatch):
    monkeypatch.setattr(posters, "BATCH_PAGES", 2)
    site = site_create(actor=root, kind="facility", name="天庆嘉园健身广场", place=tree["compound"])
    client.force_login(accounts["community_staff"])
    page = client.get(f"/places/{tree['tqjy'].code}/").content.decode()
    assert "（分 3 份）" in page
    for n, shown in ((1, "第 1–2 张"), (2, "第 3–4 张"), (3, "第 5–5 张")):
        assert f"/places/{tree['tqjy'].code}/posters.pdf?size=a4&amp;part={n}" in page and shown in page
    url = f"/places/{tree['tqjy'].code}/posters.pdf"
    got = [[qr.text(p) for p in qr.pdf_pages(client.get(url, {"part": n}).content)] for n in (1, 2, 3)]
    assert [len(part) for part in got] == [2, 2, 1]
    assert "天庆嘉园社区" in got[0][0] and "1号楼" in got[1][1] and site.name in got[2][0]
    assert client.get(url, {"part": 3})["Content-Disposition"].endswith('-a4-3.pdf"')
    for bad in ("4", "0", "x", "99999999999999999999"):
        refused = client.get(url, {"part": bad})
        assert refused.status_code == 400 and "分 3 份打印，每份最多 2 张" in refused.content.decode(), bad
