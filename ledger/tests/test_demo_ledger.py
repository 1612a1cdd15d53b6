"""The article's figures on every form of the demo ledger (page, Excel, PDF, JSON), computed from the demo's
records; no personal data on the public forms; resolving one more demo need moves 16 to 17.

The demo data set is loaded once for the module inside a transaction rolled back at the end (as
demo/tests/test_demo.py does), so no other test module sees it.
"""

import io
import re

import openpyxl
import pypdf
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from core import fonts
from core.models import Checkpoint
from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from ledger.selectors import found_needs
from needs.models import Need, State
from needs.services import need_act
from needs.tests.test_proof import check, download
from people.models import Person
from people.services import role_grant
from places.models import Place

YEAR = periods.year(2021)
SUBDISTRICT = {"units": 28, "members": 614, "covered_grid": 20, "covered_compound": 33, "covered_courtyard": 14,
               "covered_unit_site": 17, "found": 26, "claimed": 26, "resolved": 16, "stations": 11,
               "facilities": 17, "micro_positions": 15}
TQJY = {"branches": 4, "party_members": 226, "area_km2": 0.45, "buildings": 52, "households": 2465,
        "residents": 7792, "committee_members": 15, "honours": 5}
HONOURS = ["党建工作示范社区", "全国五四红旗团支部", "全国科普示范社区", "全国文明单位", "城关区先进基层党组织"]


@pytest.fixture
def demo(demo_db, db):
    if not Need.objects.exists():
        pytest.skip("the demo has no needs yet (issue 3's demo needs)")
    return {"subdistrict": Place.objects.get(name="拱星墩街道"), "tqjy": Place.objects.get(name="天庆嘉园社区")}


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_shows_the_articles_figures_for_the_subdistrict_in_2021(demo):
    f = figures_by_key(ledger_build(demo["subdistrict"], YEAR, public=True))
    assert {k: f[k] for k in SUBDISTRICT} == SUBDISTRICT


def test_it_shows_tianqing_jiayuan_as_the_article_does(demo):
    built = ledger_build(demo["tqjy"], YEAR, public=True)
    f = figures_by_key(built)
    assert {k: f[k] for k in TQJY} == TQJY
    honours = next(t for b in built for t in b.data.tables if t.key == "honours")
    assert [r["label"] for r in honours.rows] == HONOURS


def test_it_shows_the_same_figures_in_json_excel_pdf_and_the_page(demo, client):
    code = demo["subdistrict"].code
    data = client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).json()
    assert {k: data["figures"][k] for k in SUBDISTRICT} == SUBDISTRICT
    tqjy = client.get("/api/v1/ledger", {"place": demo["tqjy"].code, "from": "2021-01-01", "to": "2021-12-31"}).json()
    assert {k: tqjy["figures"][k] for k in TQJY} == TQJY

    book = openpyxl.load_workbook(io.BytesIO(body(client.get(reverse("ledger:xlsx", args=[code]),
                                                             {"period": "2021"}))), read_only=True)
    summary = {row[4]: row[2] for row in list(book.worksheets[0].iter_rows(values_only=True))[4:]}
    assert {k: summary[k] for k in SUBDISTRICT} == SUBDISTRICT

    page = client.get(reverse("ledger:public", args=[code]), {"period": "2021"}).content.decode()
    for key, value in SUBDISTRICT.items():
        assert f'data-figure="{key}">\n    <span class="n">{value}</span>' in page, key

    if fonts.cjk_font() is None:
        pytest.skip("no Chinese font installed")
    pdf = pypdf.PdfReader(io.BytesIO(client.get(reverse("ledger:pdf", args=[code]), {"period": "2021"}).content))
    text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "").replace("\n", "")
    for label, value in (("发现需求", 26), ("已认领", 26), ("已办结", 16), ("共建单位", 28), ("双报到在职党员", 614),
                         ("包抓网格", 20), ("包抓小区", 33), ("包抓楼院", 14), ("包抓辖区单位", 17), ("便民驿站", 11),
                         ("便民设施", 17), ("党建微阵地", 15)):
        assert f"{value}{label}" in text, label


def test_it_carries_no_personal_data_on_the_public_forms(demo, client):
    texts = []
    for place in demo.values():
        texts.append(client.get(reverse("ledger:public", args=[place.code]), {"period": "2021"}).content.decode())
        texts.append(client.get("/api/v1/ledger", {"place": place.code, "from": "2021-01-01", "to": "2021-12-31",
                                                   "deeds_limit": 1000}).content.decode("unicode_escape"))
        texts.append(body(client.get(reverse("ledger:deeds_csv", args=[place.code]), {"period": "2021"})).decode())
    reporters = Person.objects.filter(reported_needs__isnull=False).distinct()
    members = Person.objects.filter(led_needs__isnull=False).distinct()
    phones = [p for p in Person.objects.exclude(phone="").values_list("phone", flat=True)]
    for text in texts:
        assert not [p for p in phones if p in text]
        assert not [r.name for r in reporters if r.name in text]
        assert not [m.name for m in members if m.name in text]


def test_a_residents_check_passes_on_a_demo_deed_and_fails_on_an_altered_one(demo, client, tmp_path):
    """Issue 18's "done when": a deed on the public ledger links to its proof, which the downloaded script checks
    with the system's Python against the demo's signed checkpoint."""
    page = client.get(reverse("ledger:public", args=[demo["subdistrict"].code]), {"period": "2021"})
    need = Need.objects.get(pk=re.search(r'href="/needs/(\d+)/proof/"', page.content.decode())[1])
    proof, script = download(client, tmp_path, need)
    passed = check(script, proof, "--key", Checkpoint.objects.get().public_key)
    assert passed.returncode == 0 and "need.resolve" in passed.stdout and "核验通过" in passed.stdout, passed.stdout
    proof.write_text(proof.read_text().replace('"verb": "need.resolve"', '"verb": "need.start"', 1))
    failed = check(script, proof)
    assert failed.returncode == 1 and "核验失败" in failed.stdout


def test_it_counts_one_more_resolved_when_a_demo_need_is_resolved(demo):
    subdistrict = demo["subdistrict"]
    need = (found_needs(subdistrict, YEAR).filter(state__in=(State.CLAIMED, State.IN_PROGRESS),
                                                  lead_organisation__isnull=False).order_by("pk").first())
    admin = User.objects.create_user("ledger-test-unit-admin")
    role_grant(actor=User.objects.get(username="admin"), user=admin, role="unit_admin",
               organisation=need.lead_organisation)
    need_act(actor=admin, need=need, action="resolve", note="已办结", evidence="居民签字确认")
    assert figures_by_key(ledger_build(subdistrict, YEAR, public=True))["resolved"] == 17
