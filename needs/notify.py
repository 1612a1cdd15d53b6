"""Who hears of a need's step, the text and the page it links to; core.notify writes the inbox lines and the
messages (sent after commit, at least once). Someone without an account who left a phone on their need (a
core.notify.Contact) hears of its steps meant for the reporter and gets its tracking reference.

Three of them also go by SMS (sent by interop; sms_audience): the tracking reference, a department's report-in
deadline after 吹哨, and the request to rate a resolved need (or expect the follow-up call, 回访)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core import notify as core_notify
from core.dates import local_moment
from core.models import InboxLine
from core.notify import Contact
from needs import workflow
from needs.models import Level, Need
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


def recipients(need: Need, action: str, audience: tuple[str, ...] | None = None) -> set:
    """The accounts of the action's audience (or of the part of it named)."""
    users = set()
    for who in workflow.ACTIONS[action].audience if audience is None else audience:
        if who == "reporter":
            users |= reporter_users(need)
        elif who == "holder":
            users |= holder_users(need)
        else:
            users |= staff_users(need, who)
    return users


def sms_audience(need: Need, action: str) -> tuple[str, ...]:
    """Who of the action's audience is also told by SMS: what cannot wait for someone to open the site."""
    if action == "dispatch" and need.level == Level.DEPARTMENT:
        return ("holder",)  # a department must report in by its deadline after 吹哨
    if action == "resolve":
        return ("reporter",)  # asked to rate it, or to expect the follow-up call
    return ()


def sms_text(need: Need, action: str, text: str) -> str:
    """The notice as those told by SMS read it: with the deadline, or what is asked of them."""
    if action == "dispatch":
        return text + " " + _("Report in by %(due)s.") % {"due": local_moment(need.report_in_due)}
    return text + " " + _("Please rate how it was handled within %(days)d days, on the Minsheng site or when the "
                          "grid worker calls you back.") % {"days": settings.NEEDS_RATE_DAYS}


def notice_text(action: str, *, title: str, holder: str, state_label: str) -> str:
    """The notification of an action: the need's title, its holder (masked) and state — no personal data."""
    template = workflow.ACTIONS[action].notice or _("“%(title)s”: %(action)s — now %(state)s.")
    return template % {"title": title, "holder": holder, "state": state_label, "action": workflow.ACTIONS[action].label}


def notify(*, need: Need, action: str, actor, text: str, at=None) -> list[InboxLine]:
    """The inbox lines (never to the actor), dated with the action, and their messages, in the action's
    transaction: a rolled-back action sends nothing and a slow mail server holds up no request."""
    by_sms = sms_audience(need, action)
    left_out = {getattr(actor, "pk", None)}
    texted = recipients(need, action, by_sms) - left_out
    link = reverse("needs:detail", args=[need.pk])
    lines = core_notify.notify(users=recipients(need, action) - texted - left_out, subject=need, verb=action,
                               text=text, link=link, at=at)
    if texted:
        lines += core_notify.notify(users=texted, subject=need, verb=action, text=sms_text(need, action, text),
                                    link=link, at=at, sms=True)
    if need.contact_phone and (action == "submit" or "reporter" in workflow.ACTIONS[action].audience):
        said = sms_text(need, action, text) if "reporter" in by_sms else text
        if action == "submit":
            said = _("“%(title)s” was received. Your tracking reference is %(reference)s: enter it under “Track "
                     "a report” on the Minsheng site to follow it.") % {"title": need.title,
                                                                       "reference": need.reference}
        core_notify.notify(users=(), subject=need, verb=action, text=said, link=link, at=at,
                           contacts=[(Contact(need.contact_name, need.contact_phone), said)],
                           sms=action == "submit" or "reporter" in by_sms)
    return lines
