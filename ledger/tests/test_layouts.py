"""Layouts that hold (issue 11 item 6): chart labels short and distinct with the full name for the tooltip; the
rates explained where they are shown; the deeds a card per deed on a phone; the big screen scaled to its
screen; deed titles as the need's card and page show them."""

import io
import json
import re

import pypdf
import pytest
from django.urls import reverse

from ledger.charts import LABEL_WIDTH, _width, chart_spec, short_labels
from ledger.labels import rate_definitions
from ledger.section_data import Table

TQJY_GRIDS = ["天庆嘉园第一网格", "天庆嘉园第二网格", "天庆嘉园第三网格", "天庆嘉园第四网格"]


@pytest.mark.parametrize(("labels", "short"), [
    (TQJY_GRIDS, ["第一网格", "第二网格", "第三网格", "第四网格"]),
    (["五里铺东第一网格", "五里铺西第二网格", "天庆嘉园第一网格"], ["五里铺东第一", "五里铺西第二", "天庆嘉园第一"]),
    (["五里铺东第一网格", "天庆嘉园第一网格", "五里铺东社区"], ["五里铺东第一", "天庆嘉园第一", "五里铺东"]),
    (["兰州电影制片厂", "中国移动兰州分公司东岗营业部", "中国移动兰州分公司西岗营业部"],
     ["兰州…制片厂", "…东岗营业部", "…西岗营业部"]),
    (["段家滩东社区", "天庆嘉园社区"], ["段家滩东社区", "天庆嘉园社区"]),  # they fit: as they are
    (["2021-07", "2021-08"], ["2021-07", "2021-08"]),
])
def test_labels_are_shortened_distinct_and_fit(labels, short):
    assert short_labels(labels) == short
    assert len(set(short)) == len(short) and all(_width(s) <= LABEL_WIDTH for s in short)


def test_labels_that_cannot_be_told_apart_short_keep_their_names():
    labels = ["某某某某某某某某甲乙", "某某某某某某某某丙乙", "某某某某某某某某甲丁"]
    assert len(set(short_labels(labels))) == 3


def test_a_chart_sends_the_full_names_for_its_tooltip():
    table = Table("grid", "By grid", [("label", "Name"), ("found", "Found")],
                  [{"label": name, "found": 4 - i} for i, name in enumerate(TQJY_GRIDS)], chart="bar")
    spec = chart_spec(table)
    assert spec["names"] == TQJY_GRIDS and spec["labels"] == ["第一网格", "第二网格", "第三网格", "第四网格"]


def test_the_rates_are_explained_where_they_are_shown(client, scenario, tree, accounts, settings):
    settings.LEDGER_WEIGHTS = "0.2,0.4,0.4"
    definitions = rate_definitions()
    assert definitions["satisfaction_rate"] == "(很满意 + 满意 + 0.9 × 基本满意) ÷ 已评价"
    assert definitions["composite"] == "0.2 × 响应率 + 0.4 × 解决率 + 0.4 × 满意率"
    assert definitions["response_rate"] == "按时响应 ÷ 发现需求"
    public = client.get(reverse("ledger:public", args=[tree["tqjy"].code]), {"period": "2021"}).content.decode()
    assert "这些比率怎么算" in public
    for key in ("response_rate", "resolution_rate", "satisfaction_rate", "composite"):
        assert f'title="{definitions[key]}"' in public and f"<dd>{definitions[key]}</dd>" in public
    client.force_login(accounts["community_staff"])
    screen = client.get(reverse("ledger:screen"), {"period": "2021"}).content.decode()
    assert all(f'<span class="d">{definitions[key]}</span>' in screen for key in ("response_rate", "composite"))


def test_the_rates_definitions_follow_the_readers_language_and_the_weights_in_force(settings):
    """They are kept per process (a page asks for one per rate): kept per language and weights, not once."""
    from django.utils import translation

    settings.LEDGER_WEIGHTS = "0.2,0.4,0.4"
    assert rate_definitions()["composite"] == "0.2 × 响应率 + 0.4 × 解决率 + 0.4 × 满意率"
    with translation.override("en"):
        english = rate_definitions()["composite"]
    assert english == "0.2 × Response rate + 0.4 × Resolution rate + 0.4 × Satisfaction rate"
    settings.LEDGER_WEIGHTS = "0.1,0.45,0.45"
    assert rate_definitions()["composite"] == "0.1 × 响应率 + 0.45 × 解决率 + 0.45 × 满意率"


def test_the_big_screen_fits_the_screen_it_is_shown_on(client, scenario, accounts):
    client.force_login(accounts["community_staff"])
    screen = client.get(reverse("ledger:screen"), {"period": "2021"}).content.decode()
    assert 'content="width=device-width, initial-scale=1"' in screen and 'content="width=1920"' not in screen


def test_the_deeds_become_cards_with_their_column_names(client, scenario, tree):
    public = client.get(reverse("ledger:public", args=[tree["tqjy"].code]), {"period": "2021"}).content.decode()
    table = re.search(r'<table class="ledger-table stack" data-table="deeds">.*?</table>', public, re.S).group(0)
    assert 'data-label="社区"' in table and 'data-label="居民评价"' in table
    others = re.findall(r'<table class="([^"]*)" data-table="(?!deeds)', public)
    assert others and all(c == "ledger-table" for c in others)  # the other tables stay tables


def test_the_ledger_charts_of_the_community_have_distinct_labels(client, scenario, tree):
    public = client.get(reverse("ledger:public", args=[tree["tqjy"].code]), {"period": "2021"}).content.decode()
    charts = [json.loads(data) for data in
              re.findall(r'<script id="chart-[\w-]+-data" type="application/json">(.*?)</script>', public)]
    assert charts
    for spec in charts:
        assert len(set(spec["labels"])) == len(spec["labels"]) and len(spec["names"]) == len(spec["labels"])


def test_a_deed_title_reads_as_on_the_needs_card_and_page(client, walk, tree):
    """The reporter's name and a phone in a title: the public ledger, its CSV and the need's card show one title."""
    need = walk.resolved(walk.claimed("2021-07-05 10:00", "2021-07-05 10:30",
                                      "resident用户家门口4号楼3单元路灯坏了，电话13812345678"), "2021-07-06 10:00")
    shown = "某某家门口某楼某单元路灯坏了，电话138****5678"
    public = client.get(reverse("ledger:public", args=[tree["tqjy"].code]), {"period": "2021"}).content.decode()
    deeds = client.get(reverse("ledger:deeds_csv", args=[tree["tqjy"].code]), {"period": "2021"})
    assert shown in public and shown in b"".join(deeds.streaming_content).decode()
    assert shown in client.get(reverse("needs:board"), {"tab": "done"}).content.decode()
    assert shown in client.get(reverse("needs:detail", args=[need.pk])).content.decode()


def test_the_printed_ledger_explains_the_rates_too(client, scenario, tree):
    response = client.get(reverse("ledger:pdf", args=[tree["tqjy"].code]), {"period": "2021"})
    if response.status_code == 503:
        pytest.skip("no Chinese font installed")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert rate_definitions()["resolution_rate"].replace(" ", "") in text.replace(" ", "")
