"""Notifications: a line in each recipient's in-app inbox (written in the action's transaction) and a
message through the gateway once the transaction commits.

The gateway is one small interface: `send(recipient, subject, text)`, the recipient an account or a
`Contact` (someone without an account who left a phone on their need: they hear of its steps and get its
tracking reference). Email (Django's backend, console in the demo) is the default; an SMS provider
implements the same method (a Contact's `phone`) and is named in settings.NEEDS_NOTIFY_GATEWAY.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from needs import workflow
from needs.models import Need, Notification
from people.models import Role, RoleAssignment
from places.models import containing_codes

log = logging.getLogger(__name__)


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
    """Write the inbox lines, dated with the action; the messages go out from the task queue after
    commit, so a rolled-back action sends nothing and a slow mail server holds up no request."""
    users = recipients(need, action) - {getattr(actor, "pk", None)}
    rows = Notification.objects.bulk_create(
        [Notification(user_id=u, need=need, verb=action, text=text[:300], at=at or timezone.now())
         for u in sorted(users)])
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: notifications_send(ids))
    if need.contact_phone and (action == "submit" or "reporter" in workflow.ACTIONS[action].audience):
        if action == "submit":
            text = _("“%(title)s” was received. Your tracking reference is %(reference)s: enter it under “Track "
                     "a report” on the Minsheng site to follow it.") % {"title": need.title,
                                                                       "reference": need.reference}
        need_id = need.pk
        transaction.on_commit(lambda: contact_send(need_id, text))
    return rows


@db_task()
def notifications_send(ids: list[int]) -> None:
    sender = gateway()
    for row in Notification.objects.filter(pk__in=ids).select_related("user"):
        try:
            sender.send(row.user, _("Minsheng: %(text)s") % {"text": row.text[:60]}, row.text)
        except Exception:  # one unreachable mailbox must not stop the others; the inbox already has it
            log.exception("notification %s could not be sent", row.pk)


@db_task()
def contact_send(need_id: int, text: str) -> None:
    contact = Need.objects.filter(pk=need_id).values_list("contact_name", "contact_phone").first()
    if contact and contact[1]:
        try:
            gateway().send(Contact(*contact), _("Minsheng: %(text)s") % {"text": text[:60]}, text)
        except Exception:  # the need is on record whatever the gateway says; its log has the failure
            log.exception("the contact of need %s could not be sent a message", need_id)
