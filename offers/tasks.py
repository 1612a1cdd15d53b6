"""The bookings sweep, every five minutes: remind a confirmed booking OFFERS_REMIND_HOURS before its start (once);
let lapse a place offered from the waiting list whose hold has passed (the place then goes to the next person
waiting, in the same transaction); and take off the waiting list those still on it when the session starts. It
acts through booking_act as the system user, so each step is an event like any other, and running it twice
changes nothing the second time.
(The messages whose task was lost are resent by core.tasks.)
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from needs.permissions import system_user
from offers import workflow
from offers.models import Booking, BookingState
from offers.services import BookingConflict, booking_act

log = logging.getLogger(__name__)


def bookings_sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    actor = system_user()
    done = {"remind": 0, "lapse": 0, "cancel": 0}
    ahead = now + datetime.timedelta(hours=settings.OFFERS_REMIND_HOURS)
    remind = Booking.objects.filter(state=BookingState.CONFIRMED, reminded_at__isnull=True,
                                    session__is_cancelled=False, session__starts_at__gt=now,
                                    session__starts_at__lte=ahead)
    lapse = Booking.objects.filter(state=BookingState.OFFERED, offered_until__lt=now)
    missed = Booking.objects.filter(state__in=workflow.QUEUED, session__starts_at__lte=now)
    work = [(b, "remind", {}) for b in remind.order_by("session__starts_at", "id")]
    work += [(b, "lapse", {}) for b in lapse.order_by("offered_until", "id")]
    work += [(b, "cancel", {"reason": _("The session started before a place became free.")})
             for b in missed.order_by("id")]
    for booking, action, fields in work:
        try:
            booking_act(actor=actor, booking=booking, action=action, at=now, **fields)
        except (BookingConflict, ValidationError) as refused:
            # Someone acted on the booking since it was read: the next sweep sees its new state.
            log.info("bookings sweep skipped booking %s (%s): %s", booking.pk, action, refused)
            continue
        done[action] += 1
    return done


@db_periodic_task(crontab(minute="*/5"))
def bookings_sweep_task():
    done = bookings_sweep()
    if any(done.values()):
        log.info("bookings sweep: %s", done)

