from django import template

register = template.Library()


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (rounded up), for “try again in N minutes”."""
    return -(-int(delta.total_seconds()) // 60) if delta else 0
