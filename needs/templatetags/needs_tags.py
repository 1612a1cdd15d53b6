from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from needs.models import State
from needs.public import list_views
from needs.workflow import ACTIONS

register = template.Library()


@register.filter
def action_label(verb: str) -> str:
    """need.claim → 认领"""
    action = ACTIONS.get(verb.removeprefix("need."))
    return action.label if action else verb


@register.filter
def state_label(state: str | None) -> str:
    return State(state).label if state in State.values else ""


@register.filter
def need_cards(needs, viewer=None) -> str:
    """The cards of a list of needs, as <li> elements, as the viewer reads them (needs.public: the place to the
    depth they may see, the title as typed or masked; without a viewer, as the public does).

    Written here rather than as an included template because lists are the claim board's hot path: an
    included card costs ~0.5 ms of template nodes, twenty of them most of the page's time."""
    needs = list(needs)
    views = list_views(needs, viewer)
    cards = []
    for need in needs:
        view = views[need.pk]
        badges = format_html('<span class="badge state-{}">{}</span><span class="badge {}">{}</span>', need.state,
                             need.get_state_display(), need.concern_level, need.get_concern_level_display())
        if need.overdue:
            badges += format_html('<span class="badge overdue">{}</span>', _("Overdue"))
        if need.category_id:
            badges += format_html("<span>{}</span>", need.category)
        badges += format_html('<span class="where">{}</span><span>{}</span>', view.place,
                              timezone.localtime(need.submitted_at).strftime("%Y-%m-%d"))
        if need.holder:
            badges += format_html("<span>{} {}</span>", _("by"), need.holder_label)
        cards.append(format_html('<li class="need-card"><h3><a href="{}">{}</a></h3><div class="meta">{}</div></li>',
                                 reverse("needs:detail", args=[need.pk]), view.title, badges))
    return mark_safe("\n".join(cards))  # every part escaped by format_html above


@register.filter
def shown_text(text: str, view) -> str:
    """Published text (a description, note, comment, evidence) as the reader of the need's page may read it:
    as typed, or masked (needs.public.NeedView.text)."""
    return view.text(text or "")
