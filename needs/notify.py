"""Who hears of a need's step, the text and the page it links to; core.notify writes the inbox lines and the
messages (sent after commit, at least once). Someone without an account who left a phone on their need (a
core.notify.Contact) hears of its steps meant for the reporter and gets its tracking reference."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import notify as core_notify
from core.models import InboxLine
from core.notify import Contact
from needs import workflow
from needs.models import Need
from people.models import RoleAssignment
from people.selectors import accounts_of
from places.models import containing_codes


def holder_users(need: Need) -> set:
    return accounts_of(person=need.lead_person, organisation_id=need.lead_organisation_id)


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


def notify(*, need: Need, action: str, actor, text: str, at=None) -> list[InboxLine]:
    """The inbox lines (never to the actor), dated with the action, and their messages, in the action's
    transaction: a rolled-back action sends nothing and a slow mail server holds up no request."""
    contacts = []
    if need.contact_phone and (action == "submit" or "reporter" in workflow.ACTIONS[action].audience):
        said = text
        if action == "submit":
            said = _("“%(title)s” was received. Your tracking reference is %(reference)s: enter it under “Track "
                     "a report” on the Minsheng site to follow it.") % {"title": need.title,
                                                                       "reference": need.reference}
        contacts.append((Contact(need.contact_name, need.contact_phone), said))
    return core_notify.notify(users=recipients(need, action) - {getattr(actor, "pk", None)}, subject=need,
                              verb=action, text=text, link=reverse("needs:detail", args=[need.pk]), at=at,
                              contacts=contacts)
