"""Every write to a need goes through `need_act`: lock, re-read, state, permission, guard, change, notifications,
event, roll-ups — in one transaction. Pages, API, admin, the deadline sweep and the demo all call it,
directly or through the typed face of one action (`need_claim(actor=…, need=…, organisation=…)`).

Where things are: the lifecycle and each action's record in needs.workflow, who may act in
needs.permissions, what each action changes in needs.actions.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.events import event_append, event_time, verbs_declare
from needs import actions, permissions, signals, workflow
from needs.models import Category, Need, reference_new
from needs.notify import notice_text, notify
from needs.photos import photos_prepare
from people.models import Organisation, Person
from people.services import personal_data_reveal
from places.models import Place

verbs_declare({f"need.{action}": f"the needs workflow's action “{action}” (needs.workflow)"
               for action in workflow.ACTIONS})
verbs_declare({"need_contact_reveal": "staff were shown the full name and phone someone without an account left "
                                      "on a need (need_contact_reveal)"})


class NeedConflict(Exception):
    """The need moved on before this action: e.g. someone else claimed it first (HTTP 409)."""

    def __init__(self, message: str, *, holder: str = "", state: str = ""):
        super().__init__(message)
        self.message, self.holder, self.state = message, holder, state


def _refuse_state(need: Need, action: str):
    if action == "claim" and need.holder is not None:
        holder = need.holder_label
        raise NeedConflict(_("Already claimed by %(holder)s.") % {"holder": holder}, holder=holder,
                           state=need.state)
    raise NeedConflict(_("This need is now “%(state)s”: “%(action)s” is no longer possible.")
                       % {"state": need.get_state_display(), "action": workflow.ACTIONS[action].label},
                       holder=need.holder_label, state=need.state)


def need_act(*, actor, need: Need | None, action: str, at: datetime.datetime | None = None, **fields) -> Need:
    """Take `action` on `need` (None for submit) as `actor`; return the need as it is afterwards.

    `fields` are the action's keyword arguments (needs.actions). Raises PermissionDenied (role or scope),
    ValidationError (fields, with the field names; or the action's guard), or NeedConflict (the need is no
    longer in a state that allows the action, e.g. a claim lost to someone else). Nothing is written unless
    the whole action succeeds.
    """
    if action not in workflow.ACTIONS:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    unknown = sorted(set(fields) - actions.FIELDS[action])
    if unknown:
        raise ValidationError({name: _("“%(action)s” takes no field “%(field)s”.")
                               % {"action": workflow.ACTIONS[action].label, "field": name} for name in unknown})
    # Photo checks decode images: done before the transaction so the row lock is held briefly.
    if "photos" in fields:
        fields["photos"] = photos_prepare(fields["photos"])
    at = event_time(at)
    if need is not None:
        # The losers of a claim race learn so here, without queueing for the write lock (SQLite) or the row
        # lock (PostgreSQL): a committed state that refuses the action is an answer as good as the locked read.
        committed = Need.objects.select_related("lead_organisation", "lead_person").get(pk=need.pk)
        if workflow.next_state(committed.state, action) is None:
            _refuse_state(committed, action)
    with transaction.atomic():
        if action == "submit":
            need = Need(state=workflow.NEW)
        else:
            # The row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite) makes the state we read
            # here the state we change: two claims cannot both see "published".
            # Only the place is joined: on PostgreSQL a waiting lock re-reads the need's row but not rows of
            # outer joins, so the new holder is read after the lock (the place of a need never changes).
            need = Need.objects.select_for_update(of=("self",)).select_related("place").get(pk=need.pk)
        before = need.state
        after = workflow.next_state(before, action)
        if after is None:
            _refuse_state(need, action)
        if action == "submit":
            relations = {"anyone"}  # anyone may report a need; the public form is rate limited
        else:
            relations = permissions.relations_to(actor, need)
            permissions.require_may_act(actor, need, action, relations)
            if refusal := workflow.refusal(need, action, at):
                raise ValidationError(refusal)
        data = actions.APPLY[action](actions.Step(need=need, actor=actor, at=at, relations=relations), **fields)
        need.state = after
        if action == "submit":
            # A random reference already on record (about one submit in 85,000 at 10 million needs) is drawn again
            # rather than refused by the unique key.
            while Need.objects.filter(reference=need.reference).exists():
                need.reference = reference_new()
        need.save()
        text = notice_text(action, title=need.title, holder=need.holder_label, state_label=need.get_state_display())
        notify(need=need, action=action, actor=actor, text=text, at=at)
        # Last, as each locks a row other actions share to the commit: the ledger's roll-ups their scopes' counters,
        # the event its chain's head (every write in the subdistrict waits for it).
        signals.need_changed.send(sender=Need, need=need, action=action)  # e.g. the ledger's roll-ups
        event_append(actor=actor, verb=f"need.{action}", subject=need, at=at,
                     data={"from": before or None, "to": after, **data})
    return need


# --- One typed face per action: the fields of needs.workflow's record, plus the system's own flags ---
Ref = int  # a record's id; each face also takes the model instance itself


def need_submit(*, actor, title: str, place: Place | Ref, description: str = "",
                category: Category | Ref | None = None, concern_level: str = "", channel: str = "",
                reporter: Person | Ref | None = None, contact_name: str = "", contact_phone: str = "",
                show_name: bool = False, is_public: bool = True, affected: int = 1, photos=(), at=None) -> Need:
    return need_act(actor=actor, need=None, action="submit", at=at, title=title, place=place,
                    description=description, category=category, concern_level=concern_level, channel=channel,
                    reporter=reporter, contact_name=contact_name, contact_phone=contact_phone, show_name=show_name,
                    is_public=is_public, affected=affected, photos=photos)


def need_accept(*, actor, need: Need, category: Category | Ref, concern_level: str, is_public: bool | None = None,
                at=None) -> Need:
    return need_act(actor=actor, need=need, action="accept", at=at, category=category, concern_level=concern_level,
                    is_public=is_public)


def need_reject(*, actor, need: Need, note: str, at=None) -> Need:
    return need_act(actor=actor, need=need, action="reject", at=at, note=note)


def need_merge(*, actor, need: Need, into: Need | Ref, at=None) -> Need:
    return need_act(actor=actor, need=need, action="merge", at=at, into=into)


def need_publish(*, actor, need: Need, at=None) -> Need:
    return need_act(actor=actor, need=need, action="publish", at=at)


def need_dispatch(*, actor, need: Need, organisation: Organisation | Ref | None = None,
                  person: Person | Ref | None = None, category: Category | Ref | None = None,
                  concern_level: str | None = None, at=None) -> Need:
    return need_act(actor=actor, need=need, action="dispatch", at=at, organisation=organisation, person=person,
                    category=category, concern_level=concern_level)


def need_claim(*, actor, need: Need, organisation: Organisation | Ref | None = None, for_unit: bool = False,
               at=None) -> Need:
    return need_act(actor=actor, need=need, action="claim", at=at, organisation=organisation, for_unit=for_unit)


def need_return(*, actor, need: Need, note: str, at=None) -> Need:
    return need_act(actor=actor, need=need, action="return", at=at, note=note)


def need_start(*, actor, need: Need, at=None) -> Need:
    return need_act(actor=actor, need=need, action="start", at=at)


def need_report_in(*, actor, need: Need, at=None) -> Need:
    return need_act(actor=actor, need=need, action="report_in", at=at)


def need_progress(*, actor, need: Need, note: str, photos=(), at=None) -> Need:
    return need_act(actor=actor, need=need, action="progress", at=at, note=note, photos=photos)


def need_add_collaborator(*, actor, need: Need, organisation: Organisation | Ref, at=None) -> Need:
    return need_act(actor=actor, need=need, action="add_collaborator", at=at, organisation=organisation)


def need_escalate(*, actor, need: Need, note: str, overdue: bool = False, at=None) -> Need:
    """`overdue`: raised by the deadline sweep because a deadline passed (the system's flag, not a field)."""
    return need_act(actor=actor, need=need, action="escalate", at=at, note=note, overdue=overdue)


def need_resolve(*, actor, need: Need, note: str, evidence: str = "", photos=(), at=None) -> Need:
    return need_act(actor=actor, need=need, action="resolve", at=at, note=note, evidence=evidence, photos=photos)


def need_verify(*, actor, need: Need, note: str = "", at=None) -> Need:
    return need_act(actor=actor, need=need, action="verify", at=at, note=note)


def need_rate(*, actor, need: Need, rating: str, comment: str = "", at=None) -> Need:
    return need_act(actor=actor, need=need, action="rate", at=at, rating=rating, comment=comment)


def need_follow_up(*, actor, need: Need, rating: str, note: str = "", at=None) -> Need:
    return need_act(actor=actor, need=need, action="follow_up", at=at, rating=rating, note=note)


def need_reopen(*, actor, need: Need, note: str, at=None) -> Need:
    return need_act(actor=actor, need=need, action="reopen", at=at, note=note)


def need_close_unrated(*, actor, need: Need, at=None) -> Need:
    return need_act(actor=actor, need=need, action="close_unrated", at=at)


def need_remind(*, actor, need: Need, at=None) -> Need:
    return need_act(actor=actor, need=need, action="remind", at=at)


def need_flag_overdue(*, actor, need: Need, at=None) -> Need:
    return need_act(actor=actor, need=need, action="flag_overdue", at=at)


# --- Reads that are logged ---

def need_contact_reveal(*, actor, need: Need, reason: str = "") -> tuple[str, str]:
    """The full name and phone to call about a need (回访), for those who make the follow-up call; the view is
    logged. The reporter's come from their record (people.services.personal_data_reveal writes
    PersonalDataAccess); the contact someone without an account left on the need is logged as an event of
    the need, since PersonalDataAccess records people on record only."""
    if not permissions.relations_to(actor, need) & workflow.ACTIONS["follow_up"].who:
        raise PermissionDenied(_("Only the grid worker and the community staff of this need's area call back."))
    reason = reason or _("follow-up call on need #%(id)s") % {"id": need.pk}
    with transaction.atomic():
        if need.reporter_id and need.reporter.phone:
            person = personal_data_reveal(actor=actor, person=need.reporter, reason=reason[:200])
            return person.name, person.phone
        if need.contact_phone:
            event_append(actor=actor, verb="need_contact_reveal", subject=need,
                         data={"fields": "name,phone", "reason": reason[:200]})
            return need.contact_name, need.contact_phone
    raise ValidationError(_("No phone is on record for this need."))
