"""Notifications, for every app: a line in each recipient's in-app inbox (core.models.InboxLine) and a message
through the gateway, both written in the caller's transaction; the message goes out once it commits.

Each app says who hears of its action, the text and the page it links to (needs/notify.py, offers/notify.py,
sites/services.py), then calls `notify`. The text names records, never people.

Messages go out at least once: each is a row of the outbox (core.models.OutboxMessage), written in the action's
transaction and deleted when the gateway has sent it (delivered: its `send` returned). The task enqueued after the
commit sends them at once; a task lost on the way (the consumer killed while it ran, a web worker killed between
the commit and the enqueue) leaves them in the outbox, and `messages_resend` (every minute, core/tasks.py) sends
what has waited longer than RESEND_AFTER. A sender claims messages for LEASE; one killed between a send and its
delete leaves that message to be sent again (the one case of a duplicate). A rolled-back action sends nothing.

The gateway is one small interface: `send(recipient, subject, text)`, the recipient an account or a `Contact`
(someone without an account who left a phone on their need). Email (Django's backend, console in the demo) is the
default; an SMS provider implements the same method (a Contact's `phone`) and is named in
settings.NEEDS_NOTIFY_GATEWAY.

Some messages are also sent by SMS: the caller says so (`notify(..., sms=True)`: a department's report-in deadline,
a booking's reminder, the request to rate a resolved need, an anonymous report's tracking reference) and the row
keeps it (`OutboxMessage.sms`). core cannot import the app that sends SMS (interop, above it), so that app
registers its sender here (`sms_sender_register`); with none registered nothing goes by SMS.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from core.models import InboxLine, OutboxMessage

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


def subject_key(record: models.Model) -> str:
    """The record a line is about, as the inbox and the outbox name it: "needs.need:12"."""
    return f"{record._meta.label_lower}:{record.pk}"


# The function that sends a message by SMS: function(recipient, text, subject_key), the recipient an account or a
# Contact; it never raises (it logs what became of each). Registered by interop in its AppConfig.ready().
_sms_senders: list[Callable] = []


def sms_sender_register(function: Callable) -> None:
    _sms_senders[:] = [function]  # one sender: registering again (a second ready()) replaces it


def notify(*, users: Iterable[int], subject: models.Model, verb: str, text: str, link: str, at=None,
           contacts: Sequence[tuple[Contact, str]] = (), sms: bool = False) -> list[InboxLine]:
    """Write an inbox line for each user (by id), dated `at` (the action's moment), and a message for each to the
    outbox, with one for each (contact, text) — all in the caller's transaction; after its commit a task sends them.
    Whom to leave out (the one who acted) is the caller's to say; `sms`: these messages also go by SMS."""
    key, text, at = subject_key(subject), text[:300], at or timezone.now()
    lines = InboxLine.objects.bulk_create([InboxLine(user_id=u, text=text, link=link, subject=key, verb=verb, at=at)
                                           for u in sorted(set(users))])
    now = timezone.now()
    messages = [OutboxMessage(user_id=line.user_id, subject=key, text=text, sms=sms, created_at=now)
                for line in lines]
    messages += [OutboxMessage(contact_name=contact.name, contact_phone=contact.phone, subject=key, text=said,
                               sms=sms, created_at=now) for contact, said in contacts if contact.phone]
    if messages:
        ids = [message.pk for message in OutboxMessage.objects.bulk_create(messages)]
        transaction.on_commit(lambda: messages_send(ids))
    return lines


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
                     .select_for_update(skip_locked=True, of=("self",)).select_related("user"))
        OutboxMessage.objects.filter(pk__in=[m.pk for m in taken]).update(claimed_at=now)
    sender = gateway()
    for message in taken:
        recipient = message.user or Contact(message.contact_name, message.contact_phone)
        try:
            sender.send(recipient, _("Minsheng: %(text)s") % {"text": message.text[:60]}, message.text)
        except Exception:  # one unreachable mailbox must not stop the others; the inbox (or the record) has it
            log.exception("message %s (%s) could not be sent", message.pk, message.subject)
        if message.sms:
            for send_sms in _sms_senders:
                send_sms(recipient, message.text, message.subject)
        OutboxMessage.objects.filter(pk=message.pk).delete()
    return len(taken)
