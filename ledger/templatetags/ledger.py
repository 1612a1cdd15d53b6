from html import escape
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from ledger.labels import rate_definitions

register = template.Library()


@register.filter
def figure_value(figure_or_value, unit=None):
    """A figure as people read it: 61.5% for a rate, 0.45 km², — when there is nothing to count."""
    value = getattr(figure_or_value, "value", figure_or_value)
    unit = getattr(figure_or_value, "unit", unit or "")
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{value} {unit}".strip()


def _records_url(base, figure, filters=None, path=None):
    if not base or not figure:
        return ""
    query = {**base, "figure": figure, **{k: v for k, v in (filters or {}).items() if v is not None}}
    return f"{path or reverse('ledger:records')}?{urlencode(query)}"


@register.simple_tag(takes_context=True)
def records_url(context, figure, filters=None):
    """The records view behind a figure, for the page's scope and period; "" on public pages."""
    return _records_url(context.get("records_base"), figure, filters)


@register.simple_tag
def table_body(table, records_base, labelled=False):
    """The rows of a table as HTML: each row's label (a link to its records on staff pages, else to its public page
    when it has one: "href"), then its cells (a cell a link where the row's "links" give its column one);
    labelled: each cell carries its column's name (data-label), for a table that becomes a card per row on a
    phone (`table.stack`: the deeds).

    Written here rather than in the template, with the standard library's escape, because the ledger's
    tables are its hottest path: a city's breakdown by grid or a page of deeds would otherwise cost a template
    node (or a format_html) per cell."""
    head, keys = table.columns[0][0], [key for key, _label in table.columns[1:]]
    labels = {key: f' data-label="{escape(str(label))}"' if labelled else "" for key, label in table.columns[1:]}
    path = reverse("ledger:records") if records_base and table.records else None
    rows = []
    for row in table.rows:
        url = _records_url(records_base, table.records, row.get("filter"), path) or row.get("href", "")
        label = escape(str(row.get(head, "")))
        if url:
            label = f'<a href="{escape(url)}">{label}</a>'
        links = row.get("links", {})
        cells = "".join(f'<td class="num"{labels[key]}>{_linked(escape(str(cell(row, key))), links.get(key))}</td>'
                        for key in keys)
        rows.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
    return mark_safe("\n".join(rows))  # every part escaped above


def _linked(text: str, url: str | None) -> str:
    return f'<a href="{escape(url)}">{text}</a>' if url else text


@register.filter
def cell(row, key):
    """A table cell: rates (columns named *_rate) as percentages, the rest as they are."""
    value = row.get(key, "")
    return figure_value(value, "%") if key.endswith("_rate") else value


@register.filter
def rate_definition(key: str) -> str:
    """How a rate is counted (ledger.labels.rate_definitions), "" for a figure that is not a rate."""
    return rate_definitions().get(key, "")
