from urllib.parse import urlencode

from django import template
from django.urls import reverse

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


@register.simple_tag(takes_context=True)
def records_url(context, figure, filters=None):
    """The records view behind a figure, for the page's scope and period; "" on public pages."""
    base = context.get("records_base")
    if not base or not figure:
        return ""
    query = {**base, "figure": figure, **{k: v for k, v in (filters or {}).items() if v is not None}}
    return f"{reverse('ledger:records')}?{urlencode(query)}"


@register.filter
def cell(row, key):
    """A table cell: rates (columns named *_rate) as percentages, the rest as they are."""
    value = row.get(key, "")
    return figure_value(value, "%") if key.endswith("_rate") else value
