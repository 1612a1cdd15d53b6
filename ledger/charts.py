"""What ECharts draws: a table with a chart becomes {type, labels, series}, sent with json_script."""

from ledger.selectors import Table


def chart_spec(table: Table) -> dict:
    counts = [(key, label) for key, label in table.columns[1:]
              if table.rows and all(isinstance(row.get(key), int) for row in table.rows)]
    if table.chart == "pie":
        counts = counts[:1]
    return {"id": f"chart-{table.key}", "data_id": f"chart-{table.key}-data", "type": table.chart, "title": table.title,
            "labels": [str(row["label"]) for row in table.rows],
            "series": [{"name": str(label), "data": [row[key] for row in table.rows]} for key, label in counts]}


def chart_specs(built) -> list[dict]:
    return [chart_spec(t) for b in built for t in b.data.tables if t.chart and t.rows]
