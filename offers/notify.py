"""Who hears of a booking's step, and how: a line in each recipient's inbox (offers.models.Notice, written in the
action's transaction) and a message through the needs loop's gateway (settings.NEEDS_NOTIFY_GATEWAY) once the
transaction commits — at least once: a message whose task was lost is sent by the minutely resend
(offers.tasks.notices_resend_task). The text names the offer and the session's start, never a person."""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from needs.notify import gateway
from offers import workflow
from offers.models import Booking, Notice
from people.models import Role, RoleAssignment

log = logging.getLogger(__name__)
RESEND_AFTER = datetime.timedelta(minutes=1)  # not sent this long after its step: its task was lost
LEASE = datetime.timedelta(minutes=2)  # claimed this long ago and not sent: its sender died
RESEND_BATCH = 500


def provider_users(booking: Booking) -> set[int]:
    offer = booking.session.offer
    users = set()
    if offer.person_id and offer.person.user_id:
        users.add(offer.person.user_id)
    if offer.organisation_id:
        users |= set(RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, organisation=offer.organisation_id)
                     .values_list("user_id", flat=True))
    return users


def recipients(booking: Booking, action: str) -> set[int]:
    users = set()
    for who in workflow.ACTIONS[action].audience:
        if who == "booker" and booking.person.user_id:
            users.add(booking.person.user_id)
        elif who == "provider":
            users |= provider_users(booking)
    return users


def notice_text(booking: Booking, action: str) -> str:
    record = workflow.ACTIONS[action]
    values = {"offer": booking.session.offer.name, "start": workflow.local_moment(booking.session.starts_at),
              "action": record.label, "state": booking.get_state_display(), "reason": booking.reason,
              "seats": booking.seats,
              "until": workflow.local_moment(booking.offered_until) if booking.offered_until else ""}
    template = record.notice or _("“%(offer)s” on %(start)s: %(action)s — now %(state)s.")
    return (template % values).strip()


def notify(*, booking: Booking, action: str, actor, at=None) -> list[Notice]:
    """The inbox lines (never to the actor), and their messages after commit: a rolled-back step sends nothing."""
    users = recipients(booking, action) - {getattr(actor, "pk", None)}
    if not users:
        return []
    text = notice_text(booking, action)[:300]
    rows = Notice.objects.bulk_create([Notice(user_id=u, booking=booking, verb=action, text=text,
                                              at=at or timezone.now()) for u in sorted(users)])
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: notices_send(ids))
    return rows


@db_task()
def notices_send(ids: list[int]) -> None:
    """The messages of one step, right after its commit."""
    _send(Notice.objects.filter(pk__in=ids, sent_at=None), timezone.now())


def notices_resend(now=None) -> int:
    """The messages whose task was lost: those not sent RESEND_AFTER after their step (offers.tasks, every minute)."""
    now = now or timezone.now()
    return _send(Notice.objects.filter(sent_at=None, at__lt=now - RESEND_AFTER).order_by("pk")[:RESEND_BATCH], now)


def _send(notices, now) -> int:
    """Send the messages nobody else is sending (needs.notify's way: a claim with a lease, then the send); each is
    marked sent once the gateway returned, so a sender killed between the two is the one case of a duplicate."""
    with transaction.atomic():
        taken = list(Notice.objects.filter(pk__in=notices.values("pk"), sent_at=None)
                     .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - LEASE))
                     .select_for_update(skip_locked=True, of=("self",)).select_related("user"))
        Notice.objects.filter(pk__in=[n.pk for n in taken]).update(claimed_at=now)
    sender = gateway()
    for notice in taken:
        try:
            sender.send(notice.user, _("Minsheng: %(text)s") % {"text": notice.text[:60]}, notice.text)
        except Exception:  # one unreachable mailbox must not stop the others; the inbox has the line
            log.exception("booking notice %s could not be sent", notice.pk)
        Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
    return len(taken)
