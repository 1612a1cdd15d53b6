"""What ECharts draws: a table with a chart becomes {type, labels, series}, sent with json_script.

A long breakdown (many communities or grids) draws its first CHART_ROWS rows (the biggest: rows come
sorted by needs found) and only found and resolved, so that bars and labels stay readable; the table
beside the chart always has every row and column.
"""

from ledger.section_data import Table

CHART_ROWS = 12
LONG = 6


def chart_spec(table: Table) -> dict:
    rows = table.rows[:CHART_ROWS]
    counts = [(key, label) for key, label in table.columns[1:]
              if rows and all(isinstance(row.get(key), int) for row in rows)]
    if table.chart == "pie":
        counts = counts[:1]
    elif table.chart == "bar" and len(rows) > LONG:
        counts = [(key, label) for key, label in counts if key in ("found", "resolved")] or counts[:2]
    title = str(table.title) + (f" (1–{CHART_ROWS})" if len(table.rows) > CHART_ROWS else "")
    return {"id": f"chart-{table.key}", "data_id": f"chart-{table.key}-data", "type": table.chart, "title": title,
            "labels": [str(row["label"]) for row in rows],
            "series": [{"name": str(label), "data": [row[key] for row in rows]} for key, label in counts]}


def chart_specs(built) -> list[dict]:
    return [chart_spec(t) for b in built for t in b.data.tables if t.chart and t.rows]
