"""The mediation sweep, daily: an open dispute past its settle-by date (MEDIATION_SETTLE_DAYS from its intake) is
marked overdue and its mediators and the community's staff are told (once: dispute_overdue_mark); a dispute fed
back MEDIATION_FOLLOW_UP_DAYS ago and not yet followed up is a reminder to its mediators to make the follow-up
visit (回访), once. Running it twice changes nothing the second time."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from core.models import InboxLine
from core.notify import notify, subject_key
from mediation import workflow
from mediation.models import Dispute, DisputeState
from mediation.selectors import case_link
from mediation.services import dispute_overdue_mark, mediator_users

log = logging.getLogger(__name__)
FOLLOW_UP_VERB = "dispute_follow_up_due"


def mediation_sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    done = {"overdue": 0, "follow_up": 0}
    late = Dispute.objects.filter(state__in=workflow.OPEN, overdue=False, due_at__lt=now).order_by("due_at", "id")
    for dispute in late:
        done["overdue"] += dispute_overdue_mark(dispute=dispute, at=now)
    due = now - datetime.timedelta(days=settings.MEDIATION_FOLLOW_UP_DAYS)
    for dispute in Dispute.objects.filter(state=DisputeState.FED_BACK, fed_back_at__lte=due).order_by("id"):
        # Once per feedback: a reopened case fed back again is reminded again.
        if InboxLine.objects.filter(subject=subject_key(dispute), verb=FOLLOW_UP_VERB,
                                    at__gte=dispute.fed_back_at).exists():
            continue
        with transaction.atomic():
            notify(users=mediator_users(dispute), subject=dispute, verb=FOLLOW_UP_VERB, link=case_link(dispute),
                   at=now, text=_("Time for the follow-up visit (回访): %(title)s") % {"title": dispute.title})
        done["follow_up"] += 1
    return done


@db_periodic_task(crontab(hour="6", minute="15"))
def mediation_sweep_task():
    done = mediation_sweep()
    if any(done.values()):
        log.info("mediation sweep: %s", done)
