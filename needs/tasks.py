"""The deadline sweep, every five minutes: remind before a deadline; after it, mark the need overdue and
raise it one level (community → subdistrict). It acts through need_act as the system user, so each
reminder and escalation is an event like any other, and running it twice changes nothing the second time.
(The messages whose task was lost are resent by core.tasks.)
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from needs import deadlines, workflow
from needs.models import Level, Need, State
from needs.permissions import system_user
from needs.services import NeedConflict, need_act

log = logging.getLogger(__name__)
# Reminders start at most one working day ahead; a week-long holiday makes that up to ten calendar days.
HORIZON = datetime.timedelta(days=10)


def _step(need: Need, now) -> str | None:
    """The sweep's action for one need now, or None."""
    due = workflow.current_due(need)
    if due is None:
        return None
    if due <= now:
        if need.overdue:
            return None
        if need.level == Level.COMMUNITY and need.state in workflow.ESCALATABLE:
            return "escalate"
        return "flag_overdue"
    if need.reminded_due != due and (
            deadlines.working_minutes_between(now, due) <= deadlines.remind_lead_minutes(workflow.due_kind(need))):
        return "remind"
    return None


def deadline_sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    actor = system_user()
    done = {"remind": 0, "escalate": 0, "flag_overdue": 0, "close_unrated": 0}
    horizon = now + HORIZON
    watched = Need.objects.filter(state__in=workflow.OPEN).filter(
        Q(accept_due__lte=horizon) | Q(claim_due__lte=horizon) | Q(report_in_due__lte=horizon)
        | Q(resolve_due__lte=horizon)).select_related("place")
    unrated = Need.objects.filter(state=State.RESOLVED, resolved_at__lt=now - workflow.rate_window())
    work = [(need, _step(need, now)) for need in watched.iterator(chunk_size=500)]
    work += [(need, "close_unrated") for need in unrated]
    for need, action in work:
        if action is None:
            continue
        fields = {"note": _("Overdue: raised to the subdistrict automatically."), "overdue": True} \
            if action == "escalate" else {}
        try:
            need_act(actor=actor, need=need, action=action, at=now, **fields)
        except (NeedConflict, ValidationError) as refused:
            # Someone acted on the need since it was read: the next sweep sees its new state.
            log.info("deadline sweep skipped need %s (%s): %s", need.pk, action, refused)
            continue
        done[action] += 1
    return done


@db_periodic_task(crontab(minute="*/5"))
def deadline_sweep_task():
    done = deadline_sweep()
    if any(done.values()):
        log.info("deadline sweep: %s", done)

