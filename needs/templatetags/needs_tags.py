from django import template

from needs.models import State
from needs.workflow import ACTIONS

register = template.Library()


@register.filter
def action_label(verb: str) -> str:
    """need.claim → 认领"""
    return ACTIONS.get(verb.removeprefix("need."), verb)


@register.filter
def state_label(state: str | None) -> str:
    return State(state).label if state in State.values else ""
