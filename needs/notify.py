"""Notifications: a line in each recipient's in-app inbox (written in the action's transaction) and a
message through the gateway once the transaction commits.

Messages go out at least once: each is a row of the outbox (OutboxMessage), written in the action's
transaction and deleted when the gateway has sent it (delivered: its `send` returned). The task enqueued
after the commit sends them at once; a task lost on the way (the consumer killed while it ran, a web worker
killed between the commit and the enqueue) leaves them in the outbox, and messages_resend (every minute,
needs/tasks.py) sends what has waited longer than RESEND_AFTER. A sender claims messages for LEASE; one
killed between a send and its delete leaves that message to be sent again (the one case of a duplicate).

The gateway is one small interface: `send(recipient, subject, text)`, the recipient an account or a
`Contact` (someone without an account who left a phone on their need: they hear of its steps and get its
tracking reference). Email (Django's backend, console in the demo) is the default; an SMS provider
implements the same method (a Contact's `phone`) and is named in settings.NEEDS_NOTIFY_GATEWAY.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from needs import workflow
from needs.models import Need, Notification, OutboxMessage
from people.models import Role, RoleAssignment
from places.models import containing_codes

log = logging.getLogger(__name__)
RESEND_AFTER = datetime.timedelta(minutes=1)  # still in the outbox this long after the commit: its task was lost
LEASE = datetime.timedelta(minutes=2)  # a message claimed this long ago and still there: its sender died
RESEND_BATCH = 500


@dataclass(frozen=True)
class Contact:
    """A recipient without an account: the name and phone left on a need (and no email address)."""

    name: str
    phone: str
    email: str = ""


class EmailGateway:
    def send(self, recipient, subject: str, text: str) -> None:
        if recipient.email:
            send_mail(subject, text, None, [recipient.email], fail_silently=False)


def gateway():
    return import_string(settings.NEEDS_NOTIFY_GATEWAY)()


def holder_users(need: Need) -> set:
    users = set()
    if need.lead_person_id and need.lead_person.user_id:
        users.add(need.lead_person.user_id)
    if need.lead_organisation_id:
        users |= set(RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, organisation=need.lead_organisation_id)
                     .values_list("user_id", flat=True))
    return users


def reporter_users(need: Need) -> set:
    users = {need.reporter.user_id} if need.reporter_id and need.reporter.user_id else set()
    users |= {u for u in need.extra_reporters.values_list("person__user_id", flat=True) if u}
    return users


def staff_users(need: Need, role: str) -> set:
    """Staff of the given role whose place contains the need's place."""
    return set(RoleAssignment.objects.filter(role=role, place__code__in=containing_codes(need.place.code))
               .values_list("user_id", flat=True))


def recipients(need: Need, action: str) -> set:
    users = set()
    for who in workflow.ACTIONS[action].audience:
        if who == "reporter":
            users |= reporter_users(need)
        elif who == "holder":
            users |= holder_users(need)
        else:
            users |= staff_users(need, who)
    return users


def notice_text(action: str, *, title: str, holder: str, state_label: str) -> str:
    """The notification of an action: the need's title, its holder (masked) and state — no personal data."""
    template = workflow.ACTIONS[action].notice or _("“%(title)s”: %(action)s — now %(state)s.")
    return template % {"title": title, "holder": holder, "state": state_label, "action": workflow.ACTIONS[action].label}


def notify(*, need: Need, action: str, actor, text: str, at=None) -> list[Notification]:
    """Write the inbox lines, dated with the action, and their messages to the outbox; the messages go out
    from the task queue after commit, so a rolled-back action sends nothing and a slow mail server holds up
    no request."""
    users = recipients(need, action) - {getattr(actor, "pk", None)}
    rows = Notification.objects.bulk_create(
        [Notification(user_id=u, need=need, verb=action, text=text[:300], at=at or timezone.now())
         for u in sorted(users)])
    now = timezone.now()
    messages = [OutboxMessage(need=need, user_id=row.user_id, text=row.text, created_at=now) for row in rows]
    if need.contact_phone and (action == "submit" or "reporter" in workflow.ACTIONS[action].audience):
        if action == "submit":
            text = _("“%(title)s” was received. Your tracking reference is %(reference)s: enter it under “Track "
                     "a report” on the Minsheng site to follow it.") % {"title": need.title,
                                                                       "reference": need.reference}
        messages.append(OutboxMessage(need=need, text=text, created_at=now))
    if messages:
        ids = [message.pk for message in OutboxMessage.objects.bulk_create(messages)]
        transaction.on_commit(lambda: messages_send(ids))
    return rows


@db_task()
def messages_send(ids: list[int]) -> None:
    """The messages of one action, right after its commit."""
    _send(OutboxMessage.objects.filter(pk__in=ids), timezone.now())


def messages_resend(now=None) -> int:
    """The messages whose task was lost: those still in the outbox RESEND_AFTER after their commit."""
    now = now or timezone.now()
    return _send(OutboxMessage.objects.filter(created_at__lt=now - RESEND_AFTER).order_by("pk")[:RESEND_BATCH], now)


def _send(messages, now) -> int:
    """Send the messages nobody else is sending; each leaves the outbox once the gateway has sent it."""
    with transaction.atomic():
        taken = list(OutboxMessage.objects.filter(pk__in=messages.values("pk"))
                     .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - LEASE))
                     .select_for_update(skip_locked=True, of=("self",)).select_related("user", "need"))
        OutboxMessage.objects.filter(pk__in=[m.pk for m in taken]).update(claimed_at=now)
    sender = gateway()
    for message in taken:
        recipient = message.user or Contact(message.need.contact_name, message.need.contact_phone)
        try:
            sender.send(recipient, _("Minsheng: %(text)s") % {"text": message.text[:60]}, message.text)
        except Exception:  # one unreachable mailbox must not stop the others; the inbox (or the need) has it
            log.exception("message %s (need %s) could not be sent", message.pk, message.need_id)
        OutboxMessage.objects.filter(pk=message.pk).delete()
    return len(taken)
