"""Every write to a need goes through `need_act`: lock, re-read, permission, validation, change, event,
notifications — in one transaction. Pages, API, admin, the deadline sweep and the demo all call it.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import event_append
from needs import deadlines, signals, workflow
from needs.models import (
    Category,
    Channel,
    ConcernLevel,
    Level,
    Need,
    NeedReporter,
    Photo,
    ProgressNote,
    Rating,
    State,
)
from needs.notify import notify
from needs.photos import photos_prepare
from people import scopes
from people.models import Organisation, OrganisationKind, Person, Role

SYSTEM_USERNAME = "minsheng-system"
RATE_DAYS = getattr(settings, "NEEDS_RATE_DAYS", 7)  # the resident's window to rate, and to reopen


class NeedConflict(Exception):
    """The need moved on before this action: e.g. someone else claimed it first (HTTP 409)."""

    def __init__(self, message: str, *, holder: str = "", state: str = ""):
        super().__init__(message)
        self.message, self.holder, self.state = message, holder, state


def system_user() -> User:
    """The account the deadline sweep acts as: inactive, with no password, so nobody can sign in as it."""
    user, created = User.objects.get_or_create(username=SYSTEM_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def person_of(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_minsheng_person"):
        user._minsheng_person = Person.objects.filter(user=user).first()
    return user._minsheng_person


def relations_to(actor, need: Need) -> set[str]:
    """What the actor is to this need; workflow.ROLES says which relations may take which action."""
    relations = {"anyone"}
    if not getattr(actor, "is_authenticated", False):
        return relations
    if actor.username == SYSTEM_USERNAME and not actor.has_usable_password():
        relations.add("system")
    place = need.place
    for relation, role in (("staff_subdistrict", Role.SUBDISTRICT_ADMIN), ("staff_community", Role.COMMUNITY_STAFF),
                           ("grid_worker", Role.GRID_WORKER)):
        if scopes.covers_place(actor, place, (role,)):
            relations.add(relation)
    units = set(scopes.unit_ids(actor))
    person = person_of(actor)
    if units:
        relations.add("unit_admin")
    if person is not None and Role.PARTY_MEMBER in scopes.roles(actor):
        relations.add("party_member")
    if (need.lead_organisation_id and need.lead_organisation_id in units) or (
            person is not None and need.lead_person_id == person.pk):
        relations.add("holder")
        if need.level == Level.DEPARTMENT:
            relations.add("department")
    if need.pk and units and need.collaborators.filter(pk__in=units).exists():
        relations.add("collaborator")
    if person is not None and (need.reporter_id == person.pk or (
            need.pk and need.extra_reporters.filter(person=person).exists())):
        relations.add("reporter")
    return relations


def may_act(actor, need: Need, action: str) -> bool:
    """Whether the actor's role lets them take the action now (the state allows it and the role does)."""
    if workflow.next_state(need.state, action) is None:
        return False
    relations = relations_to(actor, need)
    if (need.state, action) in workflow.SUBDISTRICT_ONLY:
        return "staff_subdistrict" in relations
    return bool(relations & workflow.ROLES[action])


def action_offered(need: Need, action: str) -> bool:
    """Whether pages and the API offer the action at all: hides what need_act would refuse anyway."""
    if action in ("rate", "follow_up"):
        return not need.rating
    if action == "reopen":
        return need.rating == Rating.UNSATISFIED
    if action == "close_unrated":
        return bool(need.resolved_at) and timezone.now() >= need.resolved_at + datetime.timedelta(days=RATE_DAYS)
    return action not in ("remind", "flag_overdue")


def holder_name(need: Need) -> str:
    return need.holder_label


def _required(fields: dict, name: str, message: str):
    value = fields.get(name)
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise ValidationError({name: message})
    return value.strip() if isinstance(value, str) else value


def _choice(fields: dict, name: str, choices, message: str, *, required=True):
    value = fields.get(name) or ""
    if not value and not required:
        return ""
    if value not in choices.values:
        raise ValidationError({name: message})
    return value


def _instance(model, value, name: str, message: str):
    """A model instance from an instance or a primary key (pages and the API pass ids)."""
    if isinstance(value, model):
        return value
    obj = model.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    if obj is None:
        raise ValidationError({name: message})
    return obj


def _note(need, actor, action, text, at, prepared_photos=()) -> ProgressNote | None:
    note = ProgressNote.objects.create(need=need, author=actor if actor and actor.pk else None, action=action,
                                       text=text, at=at) if text else None
    _save_photos(need, actor, prepared_photos, at, note)
    return note


def _save_photos(need, actor, prepared_photos, at, note=None):
    for image_bytes, thumb_bytes in prepared_photos:
        photo = Photo(need=need, note=note, token=secrets.token_hex(16), at=at,
                      uploaded_by=actor if actor and actor.pk else None)
        photo.image.save("photo.jpg", ContentFile(image_bytes), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(thumb_bytes), save=False)
        photo.save()


def _set_resolve_due(need: Need, at):
    policy = deadlines.policy_for(need.category, need.concern_level)
    need.resolve_due = deadlines.add_working_days(at, policy["resolve_days"])
    need.overdue, need.reminded_due = False, None


def _set_claim_due(need: Need, at):
    policy = deadlines.policy_for(need.category, need.concern_level)
    need.claim_due = deadlines.add_working_days(at, policy["claim_days"])
    need.overdue, need.reminded_due = False, None


def _holder_from(fields, actor, relations) -> tuple[Organisation | None, Person | None]:
    """The claimant or dispatch target: exactly one organisation or one person."""
    organisation, person = fields.get("organisation"), fields.get("person")
    if organisation and person:
        raise ValidationError(_("Choose one unit or one member, not both."))
    if organisation:
        organisation = _instance(Organisation, organisation, "organisation", _("Choose a unit from the list."))
    if person:
        person = _instance(Person, person, "person", _("Choose a member from the list."))
    return organisation, person


# --- The actions: each gets the locked need and the clean fields, changes the need, returns event data ---

def _submit(need, actor, fields, at, relations):
    need.title = _required(fields, "title", _("Give the need a short title."))[:100]
    need.description = (fields.get("description") or "").strip()
    need.place = _required(fields, "place", _("Choose the place the need is about."))
    if fields.get("category"):
        need.category = _instance(Category, fields["category"], "category", _("Choose a category from the list."))
    need.concern_level = _choice(fields, "concern_level", ConcernLevel, _("Choose a concern level."),
                                 required=False) or ConcernLevel.ANNOYANCE
    need.channel = _choice(fields, "channel", Channel, _("Choose how the need was found."), required=False) or (
        Channel.ONLINE)
    reporter = fields.get("reporter")
    if reporter:
        reporter = _instance(Person, reporter, "reporter", _("Choose the resident who reported it."))
        if reporter != person_of(actor) and not scopes.can_view_person(actor, reporter):
            raise PermissionDenied(_("You may only record needs for residents in your area."))
    need.reporter = reporter or person_of(actor)
    need.show_name = bool(fields.get("show_name"))
    need.is_public = fields.get("is_public", True) not in (False, "false", "0", "")
    affected = fields.get("affected") or 1
    if not str(affected).isdigit() or int(affected) < 1:
        raise ValidationError({"affected": _("The number of people affected is a whole number, at least 1.")})
    need.affected = int(affected)
    need.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    need.submitted_at = at
    policy = deadlines.policy_for(need.category, need.concern_level)
    need.accept_due = deadlines.add_working_minutes(at, float(policy["accept_hours"]) * 60)
    if fields.get("_photos"):
        need.save()  # the photos' rows point at the need; need_act saves it (again) with its state
        _save_photos(need, actor, fields["_photos"], at)
    return {"channel": need.channel, "place": need.place.code}


def _accept(need, actor, fields, at, relations):
    need.category = _instance(Category, _required(fields, "category", _("Choose a category.")), "category",
                              _("Choose a category from the list."))
    need.concern_level = _choice(fields, "concern_level", ConcernLevel, _("Choose a concern level."))
    if "is_public" in fields:
        need.is_public = fields["is_public"] not in (False, "false", "0", "")
    need.accepted_at = at
    _set_claim_due(need, at)
    return {"category": need.category.name, "concern_level": need.concern_level,
            "claim_due": need.claim_due.isoformat()}


def _reason(fields, message):
    return _required(fields, "note", message)


def _reject(need, actor, fields, at, relations):
    note = _reason(fields, _("Say why the need is rejected: the resident will read it."))
    _note(need, actor, "reject", note, at)
    need.closed_at = at
    return {"note": note}


def _merge(need, actor, fields, at, relations):
    target = _instance(Need, _required(fields, "into", _("Choose the earlier need to merge into.")), "into",
                       _("Choose the earlier need to merge into."))
    target = Need.objects.select_for_update().get(pk=target.pk)
    if target.pk == need.pk or target.state in (State.MERGED, State.REJECTED):
        raise ValidationError({"into": _("Merge into another need that is still open.")})
    if not scopes.covers_place(actor, target.place, (Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN)):
        raise PermissionDenied(_("You may only merge into needs in your own area."))
    reporters = {p for p in [need.reporter_id, *need.extra_reporters.values_list("person_id", flat=True)] if p}
    for person_id in reporters - {target.reporter_id}:
        NeedReporter.objects.get_or_create(need=target, person_id=person_id, defaults={"from_need": need})
    need.merged_into = target
    need.closed_at = at
    target.affected += need.affected
    target.save(update_fields=["affected", "updated_at"])
    return {"into": target.pk, "reporters_added": len(reporters - {target.reporter_id})}


def _publish(need, actor, fields, at, relations):
    if not need.is_public:
        raise ValidationError(_("A private need (a dispute or anything personal) is dispatched, not published "
                                "on the public claim board."))
    need.accepted_at = need.accepted_at or at  # escalated straight from intake: the subdistrict takes it in
    need.published_at = need.published_at or at
    need.lead_organisation = need.lead_person = None
    if need.state == State.ESCALATED:
        _set_claim_due(need, at)
    return {"claim_due": need.claim_due.isoformat() if need.claim_due else None}


def _take(need, organisation, person, at):
    need.lead_organisation, need.lead_person = organisation, person
    need.claimed_at = at
    need.reported_in_at = None
    _set_resolve_due(need, at)


def _claim(need, actor, fields, at, relations):
    units = scopes.unit_ids(actor)
    organisation = fields.get("organisation")
    if organisation:
        organisation = _instance(Organisation, organisation, "organisation", _("Choose a unit from the list."))
        if organisation.pk not in units:
            raise PermissionDenied(_("You may only claim for a unit you administer."))
        person = None
    elif "party_member" in relations and not fields.get("for_unit"):
        person = person_of(actor)
    elif len(units) == 1:
        organisation, person = Organisation.objects.get(pk=units[0]), None
    else:
        raise ValidationError({"organisation": _("Choose the unit you claim for.")})
    _take(need, organisation, person, at)
    return {"holder": holder_name(need), "organisation": organisation and organisation.pk,
            "person": person and person.pk, "resolve_due": need.resolve_due.isoformat()}


def _dispatch(need, actor, fields, at, relations):
    organisation, person = _holder_from(fields, actor, relations)
    if not organisation and not person:
        raise ValidationError({"organisation": _("Choose the unit, member or department to dispatch to.")})
    if category := fields.get("category"):
        need.category = _instance(Category, category, "category", _("Choose a category from the list."))
    if fields.get("concern_level"):
        need.concern_level = _choice(fields, "concern_level", ConcernLevel, _("Choose a concern level."))
    need.accepted_at = need.accepted_at or at  # escalated straight from intake: the subdistrict takes it in
    _take(need, organisation, person, at)
    data = {"holder": holder_name(need), "organisation": organisation and organisation.pk,
            "person": person and person.pk, "resolve_due": need.resolve_due.isoformat()}
    if organisation and organisation.kind == OrganisationKind.GOVERNMENT_DEPARTMENT:
        if "staff_subdistrict" not in relations:
            raise PermissionDenied(_("Only the subdistrict dispatches needs to government departments."))
        need.level = Level.DEPARTMENT
        minutes = deadlines.policy_for(need.category, need.concern_level)["report_in_minutes"]
        need.report_in_due = deadlines.add_working_minutes(at, minutes)
        data["report_in_due"] = need.report_in_due.isoformat()
    return data


def _return(need, actor, fields, at, relations):
    note = _reason(fields, _("Say why the need is returned to the claim board."))
    previous = holder_name(need)
    _note(need, actor, "return", note, at)
    need.lead_organisation = need.lead_person = None
    need.collaborators.clear()
    need.claimed_at = need.resolve_due = need.report_in_due = None
    _set_claim_due(need, at)
    return {"note": note, "holder": previous}


def _start(need, actor, fields, at, relations):
    return {}


def _report_in(need, actor, fields, at, relations):
    need.reported_in_at = at
    on_time = need.report_in_due is None or at <= need.report_in_due
    return {"on_time": on_time}


def _progress(need, actor, fields, at, relations):
    note = _required(fields, "note", _("Write what was done."))
    _note(need, actor, "progress", note, at, fields.get("_photos", ()))
    return {"note": note, "photos": len(fields.get("_photos", ()))}


def _add_collaborator(need, actor, fields, at, relations):
    organisation = _instance(Organisation, _required(fields, "organisation", _("Choose a unit.")), "organisation",
                             _("Choose a unit from the list."))
    if organisation.pk == need.lead_organisation_id or need.collaborators.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("%(unit)s already works on this need.") % {"unit": organisation}})
    need.collaborators.add(organisation)
    return {"organisation": organisation.pk, "name": organisation.name}


def _escalate(need, actor, fields, at, relations):
    note = _reason(fields, _("Say why the community cannot solve this itself."))
    if need.level != Level.COMMUNITY:
        raise ValidationError(_("This need is already with the subdistrict."))
    need.level = Level.SUBDISTRICT
    need.overdue = bool(fields.get("overdue"))
    need.claim_due = deadlines.add_working_days(at, deadlines.policy_for(need.category, need.concern_level)
                                                ["claim_days"])
    need.reminded_due = None
    _note(need, actor, "escalate", note, at)
    return {"note": note, "level": need.level, "overdue": need.overdue, "from_holder": holder_name(need)}


def _resolve(need, actor, fields, at, relations):
    note = _required(fields, "note", _("Write a completion note: what was done, for whom, when."))
    photos = fields.get("_photos", ())
    evidence = (fields.get("evidence") or "").strip()
    if not photos and not evidence and not need.photos.filter(note__action="progress").exists():
        raise ValidationError({"photos": _("Add evidence: a photo, or describe it (e.g. the resident signed "
                                           "the acceptance form).")})
    _note(need, actor, "resolve", note, at, photos)
    need.resolution_note = note
    need.resolved_at = at
    need.resolved_on_time = need.resolve_due is None or at <= need.resolve_due
    need.overdue = False
    return {"note": note, "evidence": evidence, "on_time": need.resolved_on_time}


def _close(need, at):
    need.closed_at = need.closed_at or at


def _verify(need, actor, fields, at, relations):
    note = (fields.get("note") or "").strip()
    _note(need, actor, "verify", note, at)
    _close(need, at)
    return {"note": note}


def _grade(need, fields, at):
    if need.rating:
        raise ValidationError(_("This need has already been rated."))
    need.rating = _choice(fields, "rating", Rating, _("Choose a grade: very satisfied, satisfied, fairly "
                                                      "satisfied or unsatisfied."))
    need.rating_comment = (fields.get("comment") or "").strip()
    need.rated_at = at
    _close(need, at)


def _rate(need, actor, fields, at, relations):
    _grade(need, fields, at)
    return {"rating": need.rating, "comment": need.rating_comment}


def _follow_up(need, actor, fields, at, relations):
    _grade(need, fields, at)
    need.rated_by_follow_up = True
    note = (fields.get("note") or "").strip()
    _note(need, actor, "follow_up", note, at)
    return {"rating": need.rating, "note": note}


def _reopen(need, actor, fields, at, relations):
    note = _reason(fields, _("Say what is still wrong."))
    if need.rating != Rating.UNSATISFIED:
        raise ValidationError(_("Only a need rated unsatisfied can be reopened."))
    if need.closed_at and at > need.closed_at + datetime.timedelta(days=RATE_DAYS):
        raise ValidationError(_("A need can be reopened within %(days)d days of closing; submit a new need "
                                "instead.") % {"days": RATE_DAYS})
    _note(need, actor, "reopen", note, at)
    need.closed_at = need.resolved_at = need.resolved_on_time = None
    need.rating, need.rating_comment, need.rated_at, need.rated_by_follow_up = "", "", None, False
    _set_resolve_due(need, at)
    return {"note": note}


def _close_unrated(need, actor, fields, at, relations):
    window_end = need.resolved_at + datetime.timedelta(days=RATE_DAYS)
    if at < window_end:
        raise ValidationError(_("The resident may rate until %(date)s.")
                              % {"date": timezone.localtime(window_end).strftime("%Y-%m-%d %H:%M")})
    _close(need, at)
    return {}


def _remind(need, actor, fields, at, relations):
    due = need.current_due()
    if due is None or need.reminded_due == due:
        raise ValidationError(_("A reminder was already sent for this deadline."))
    need.reminded_due = due
    return {"due": due.isoformat()}


def _flag_overdue(need, actor, fields, at, relations):
    due = need.current_due()
    if need.overdue or due is None or at <= due:
        raise ValidationError(_("This need is not overdue."))
    need.overdue = True
    return {"due": due.isoformat()}


APPLY = {
    "submit": _submit, "accept": _accept, "reject": _reject, "merge": _merge, "publish": _publish,
    "claim": _claim, "dispatch": _dispatch, "return": _return, "start": _start, "report_in": _report_in,
    "progress": _progress, "add_collaborator": _add_collaborator, "escalate": _escalate, "resolve": _resolve,
    "verify": _verify, "rate": _rate, "follow_up": _follow_up, "reopen": _reopen,
    "close_unrated": _close_unrated, "remind": _remind, "flag_overdue": _flag_overdue,
}
assert set(APPLY) == set(workflow.ROLES) == {a for _s, a in workflow.TRANSITIONS}

# Text of the notification each action sends (no personal data: title and state only).
NOTICE = {
    "claim": _("“%(title)s” was claimed by %(holder)s."),
    "dispatch": _("“%(title)s” was dispatched to %(holder)s."),
    "remind": _("“%(title)s” is due soon."),
    "flag_overdue": _("“%(title)s” is overdue."),
}


def _notice(need, action, state_label):
    template = NOTICE.get(action, _("“%(title)s”: %(action)s — now %(state)s."))
    return template % {"title": need.title, "holder": holder_name(need), "state": state_label,
                       "action": workflow.ACTIONS[action]}


def _refuse_state(need: Need, action: str):
    if action == "claim" and need.holder is not None:
        holder = holder_name(need)
        raise NeedConflict(_("Already claimed by %(holder)s.") % {"holder": holder}, holder=holder,
                           state=need.state)
    raise NeedConflict(_("This need is now “%(state)s”: “%(action)s” is no longer possible.")
                       % {"state": need.get_state_display(), "action": workflow.ACTIONS.get(action, action)},
                       holder=holder_name(need), state=need.state)


def need_act(*, actor, need: Need | None, action: str, at: datetime.datetime | None = None, **fields) -> Need:
    """Take `action` on `need` (None for submit) as `actor`; return the need as it is afterwards.

    Raises PermissionDenied (role or scope), ValidationError (fields, with the field names), or
    NeedConflict (the need is no longer in a state that allows the action, e.g. a claim lost to someone
    else). Nothing is written unless the whole action succeeds.
    """
    if action not in APPLY:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    # Photo checks decode images: done before the transaction so the row lock is held briefly.
    if "photos" in fields:
        fields["_photos"] = photos_prepare(fields.pop("photos"))
    # In UTC, as the database gives it back: the event's hash covers at.isoformat().
    at = (at or timezone.now()).astimezone(datetime.UTC)
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
        elif may_act(actor, need, action):
            relations = relations_to(actor, need)
        else:
            raise PermissionDenied(_("You may not “%(action)s” this need: your role or area does not allow it.")
                                   % {"action": workflow.ACTIONS[action]})
        data = APPLY[action](need, actor, fields, at, relations) or {}
        need.state = after
        need.save()
        signals.need_changed.send(sender=Need, need=need, action=action)  # e.g. the ledger's roll-ups
        event_append(actor=actor, verb=f"need.{action}", subject=need, at=at,
                     data={"from": before or None, "to": after, **data})
        notify(need=need, action=action, actor=actor, text=_notice(need, action, need.get_state_display()), at=at)
    return need


def need_submit(*, actor, **fields) -> Need:
    return need_act(actor=actor, need=None, action="submit", **fields)
