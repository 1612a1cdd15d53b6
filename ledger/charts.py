"""What ECharts draws: a table with a chart becomes {type, labels, names, series}, sent with json_script.

A long breakdown (many communities or grids) draws its first CHART_ROWS rows (the biggest: rows come
sorted by needs found) and only found and resolved, so that bars and labels stay readable; the table
beside the chart always has every row and column. Axis labels are short and distinct (short_labels); the
tooltip names each row in full (`names`).
"""

from collections import Counter
from os.path import commonprefix

from ledger.section_data import Table

CHART_ROWS = 12
LONG = 6
LABEL_WIDTH = 6  # what a bar's label shows whole at 360 px, in Chinese characters (charts.js gives it 6.5)
KEEP = "第"  # an ordinal's mark stays with its number: 天庆嘉园第一网格 → 第一网格, not 一网格
KIND_WORDS = ("网格", "社区", "街道")


def _width(label: str) -> float:
    """A label's width in Chinese characters: a digit or Latin letter takes half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in label)


def _fits(labels: list[str]) -> bool:
    return all(_width(label) <= LABEL_WIDTH for label in labels) and len(set(labels)) == len(labels)


def _without_prefix(labels: list[str]) -> list[str]:
    n = len(commonprefix(labels).rstrip(KEEP))
    return [label[n:] for label in labels] if n and all(len(label) - n >= 2 for label in labels) else labels


def _without_suffix(labels: list[str]) -> list[str]:
    """The word of a place's kind (网格, 社区) dropped wherever a label ends in one — the chart's title names the
    kind — as long as the labels stay distinct."""
    short = [next((label[:-len(w)] for w in KIND_WORDS if label.endswith(w) and len(label) - len(w) >= 2), label)
             for label in labels]
    return short if len(set(short)) == len(short) else labels


def _cut(label: str, head: int) -> str:
    """The label's first `head` characters, an ellipsis and as much of its end as fits."""
    tail = ""
    for c in reversed(label[head:]):
        if _width(label[:head] + c + tail) + 1 > LABEL_WIDTH:
            break
        tail = c + tail
    return label[:head] + "…" + tail


def short_labels(labels: list[str]) -> list[str]:
    """Axis labels a chart shows whole and tells apart. Labels that fit stay as they are; else the start all
    share goes (天庆嘉园第一网格, 天庆嘉园第二网格 → 第一网格, 第二网格), then the word of a place's kind
    (五里铺东第一网格, 天庆嘉园第一网格, 五里铺东社区 → 五里铺东第一, 天庆嘉园第一, 五里铺东), and a
    label still too long is cut in the middle, keeping less of its start where that tells two apart (兰州电影制片厂
    → 兰州…制片厂; 中国移动…东岗营业部 → …东岗营业部). A label that would still read like another keeps its whole
    name (the chart's tooltip names every row in full)."""
    if len(labels) < 2 or _fits(labels):
        return list(labels)
    short = _without_prefix(labels)
    if not _fits(short):
        short = _without_suffix(short)
    cut = list(short)
    for head in (2, 1, 0):  # each label that reads like another is cut again, keeping less of its start
        seen = Counter(cut)
        cut = [_cut(s, head) if _width(s) > LABEL_WIDTH and (head == 2 or seen[c] > 1) else c
               for s, c in zip(short, cut, strict=True)]
    seen = Counter(cut)
    return [c if seen[c] == 1 else label for c, label in zip(cut, labels, strict=True)]


def chart_spec(table: Table) -> dict:
    rows = table.rows[:CHART_ROWS]
    if table.chart_columns:
        counts = [(key, label) for key, label in table.columns[1:] if key in table.chart_columns]
    else:
        counts = [(key, label) for key, label in table.columns[1:]
                  if rows and all(isinstance(row.get(key), int) for row in rows)]
    if table.chart == "pie":
        counts = counts[:1]
    elif table.chart == "bar" and len(rows) > LONG:
        counts = [(key, label) for key, label in counts if key in ("found", "resolved")] or counts[:2]
    title = str(table.title) + (f" (1–{CHART_ROWS})" if len(table.rows) > CHART_ROWS else "")
    return {"id": f"chart-{table.key}", "data_id": f"chart-{table.key}-data", "type": table.chart, "title": title,
            "labels": short_labels(names := [str(row["label"]) for row in rows]), "names": names,
            "series": [{"name": str(label), "data": [row[key] for row in rows]} for key, label in counts]}


def chart_specs(built) -> list[dict]:
    return [chart_spec(t) for b in built for t in b.data.tables if t.chart and t.rows]
