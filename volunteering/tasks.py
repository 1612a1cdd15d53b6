"""The hours sweep, every quarter of an hour: for each activity that ended more than an hour ago (and less than 90
days ago), the hours of everyone checked in who has no entry yet are proposed (volunteering.services.hours_propose,
as the system user), for the organiser to certify. Running it twice changes nothing the second time."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from volunteering.models import Activity, ServiceHours, Signup, SignupState
from volunteering.services import hours_propose

log = logging.getLogger(__name__)
AFTER = datetime.timedelta(hours=1)  # the organiser's hour to tick late check-outs before hours are proposed
WITHIN = datetime.timedelta(days=90)  # activities ended longer ago are the organiser's to propose by hand


def activities_to_propose(now):
    unproposed = Signup.objects.filter(activity=OuterRef("pk"), state=SignupState.SIGNED_UP,
                                       checked_in_at__isnull=False).exclude(
        Exists(ServiceHours.objects.filter(activity=OuterRef("activity"), volunteer=OuterRef("volunteer"))))
    return Activity.objects.filter(Exists(unproposed), is_cancelled=False, ends_at__lte=now - AFTER,
                                   ends_at__gt=now - WITHIN).order_by(
        "ends_at", "id")


def hours_sweep(now=None) -> int:
    """Propose the hours of the activities that ended more than an hour ago; the number of entries made."""
    now = now or timezone.now()
    made = 0
    for activity in activities_to_propose(now):
        try:
            made += len(hours_propose(activity=activity, at=now))
        except ValidationError as refused:  # cancelled since it was read: the next sweep does not see it
            log.info("hours sweep skipped activity %s: %s", activity.pk, refused)
    return made


@db_periodic_task(crontab(minute="*/15"))
def hours_sweep_task():
    if made := hours_sweep():
        log.info("hours sweep: %s entries proposed", made)
