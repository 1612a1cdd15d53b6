"""Every form of the ledger carries the selectors' figures: Excel (openpyxl), PDF (pypdf), CSV, JSON (OpenAPI)."""

import csv
import io

import jsonschema
import openpyxl
import pypdf
import pytest
from django.urls import reverse

from core import fonts
from ledger import exports, periods
from ledger.exports import deed_rows
from ledger.sections import figures_by_key, ledger_build
from ledger.selectors import deeds

Q3 = periods.quarter(2021, 3)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def expected(scenario, tree):
    return figures_by_key(ledger_build(tree["tqjy"], Q3, public=True))


def test_it_writes_the_summary_deeds_and_breakdowns_to_excel(client, tree, expected):
    response = client.get(reverse("ledger:xlsx", args=[tree["tqjy"].code]), {"period": "2021-Q3"})
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    by_key = {row[4]: row[2] for row in summary[4:]}
    assert {k: by_key[k] for k in expected} == {k: v for k, v in expected.items()}
    deeds_sheet = list(book.worksheets[1].iter_rows(values_only=True))
    assert [r[0] for r in deeds_sheet[1:]] == [d.title for d in deeds(tree["tqjy"], Q3, public=True)]
    titles = [ws.title for ws in book.worksheets]
    assert {"按类别", "按渠道", "按发现月份"} <= set(titles)
    trend = list(book[titles[titles.index("按发现月份")]].iter_rows(values_only=True))
    assert trend[1][:2] == ("2021-07", 5)


def test_it_writes_a_pdf_with_the_chinese_headline_figures(client, tree, expected):
    if fonts.cjk_font() is None:
        pytest.skip("no Chinese font installed")
    response = client.get(reverse("ledger:pdf", args=[tree["tqjy"].code]), {"period": "2021-Q3"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "天庆嘉园社区幸福账单" in text and "2021年第3季度" in text
    for label, value in (("发现需求", 6), ("已认领", 5), ("已办结", 3), ("满意率", "95.0%")):
        assert f"{value}{label}" in text
    embedded = {f for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()}
    assert embedded and all("/FontFile2" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                         or "/FontFile3" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                         for f in embedded if "/DescendantFonts" in f.get_object())


def test_it_says_so_when_no_chinese_font_is_installed(client, tree, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    response = client.get(reverse("ledger:pdf", args=[tree["tqjy"].code]))
    assert response.status_code == 503 and "中文字体" in response.content.decode()


def test_it_writes_figures_and_deeds_as_csv(client, tree, expected):
    text = body(client.get(reverse("ledger:csv", args=[tree["tqjy"].code]), {"period": "2021-Q3"})).decode("utf-8-sig")
    rows = {r["key"]: r["value"] for r in csv.DictReader(io.StringIO(text))}
    assert rows["found"] == "6" and rows["resolved"] == "3" and rows["satisfaction_rate"] == "0.95"
    text = body(client.get(reverse("ledger:deeds_csv", args=[tree["tqjy"].code]), {"period": "2021-Q3"})).decode(
        "utf-8-sig")
    assert [r["label"] for r in csv.DictReader(io.StringIO(text))] == ["B 小区路面破损", "A 楼道灯不亮"]


def test_it_serves_open_data_that_matches_its_openapi_schema(client, tree, expected):
    response = client.get("/api/v1/ledger", {"place": tree["tqjy"].code, "from": "2021-07-01", "to": "2021-09-30"})
    assert response.status_code == 200  # no token: open data
    data = response.json()
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/ledger"]["get"]
    assert operation.get("security") in (None, [], [{}])  # public
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(data, {**schema, "components": document["components"]})
    assert {k: data["figures"][k] for k in expected} == expected
    assert data["period"] == {"from": "2021-07-01", "to": "2021-09-30", "kind": "quarter", "label": "2021年第3季度"}
    assert [d["title"] for d in data["deeds"]] == ["B 小区路面破损", "A 楼道灯不亮"] and data["deeds_total"] == 2
    described = document["components"]["schemas"]["Figures"]["properties"]
    assert all(described[k].get("description") for k in expected)


def test_it_refuses_bad_open_data_queries_clearly(client, tree):
    assert client.get("/api/v1/ledger", {"place": "999", "from": "2021-01-01", "to": "2021-12-31"}).status_code == 404
    response = client.get("/api/v1/ledger", {"place": tree["tqjy"].code, "from": "2021-12-31", "to": "2021-01-01"})
    assert response.status_code == 422 and "结束日期早于开始日期" in response.json()["detail"]


def test_it_streams_deeds_in_batches(scenario, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows = list(deed_rows(deeds(tree["subdistrict"], Q3, public=False), public=False))
    assert len(rows) == 3 and {r["community"] for r in rows} == {"天庆嘉园社区"}
