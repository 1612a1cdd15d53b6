"""Who hears of a booking's step, the text and the page it links to (the booking's); core.notify writes the inbox
lines and the messages (sent after commit, at least once). The text names the offer and the session's start, never
a person."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import notify as core_notify
from core.dates import local_moment
from core.models import InboxLine
from offers import workflow
from offers.models import Booking
from people.selectors import accounts_of


def provider_users(booking: Booking) -> set[int]:
    offer = booking.session.offer
    return accounts_of(person=offer.person, organisation_id=offer.organisation_id)


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
    values = {"offer": booking.session.offer.name, "start": local_moment(booking.session.starts_at),
              "action": record.label, "state": booking.get_state_display(), "reason": booking.reason,
              "seats": booking.seats,
              "until": local_moment(booking.offered_until) if booking.offered_until else ""}
    template = record.notice or _("“%(offer)s” on %(start)s: %(action)s — now %(state)s.")
    return (template % values).strip()


def notify(*, booking: Booking, action: str, actor, at=None) -> list[InboxLine]:
    """The inbox lines (never to the actor), and their messages after commit: a rolled-back step sends nothing."""
    users = recipients(booking, action) - {getattr(actor, "pk", None)}
    if not users:
        return []
    # The reminder before the start also goes by SMS (interop sends it): a resident may not open the site that day.
    return core_notify.notify(users=users, subject=booking, verb=action, text=notice_text(booking, action),
                              link=reverse("offers:booking", args=[booking.pk]), at=at, sms=action == "remind")
