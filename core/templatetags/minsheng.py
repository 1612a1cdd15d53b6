from django import template

register = template.Library()


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (rounded up), for “try again in N minutes”."""
    return -(-int(delta.total_seconds()) // 60) if delta else 0


@register.filter
def page_links(page):
    """The page numbers a pager shows: 1 … 4 5 [6] 7 8 … 40 (Paginator.ELLIPSIS for the gaps)."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
