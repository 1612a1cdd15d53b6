"""What each action changes on a need. need_act (needs.services) locks the need, checks the state, the
actor's role and the action's guard (needs.workflow), then calls the action's function here with the
typed fields; the function changes the need and returns the data its event records.

A reference (category, organisation, person, place, into, reporter) comes as a model instance (pages, the
demo) or as its integer id (the API); anything else is refused with the field's name.
"""

import datetime
import inspect
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from needs import choices, deadlines, permissions, selectors, workflow
from needs.models import Category, Channel, ConcernLevel, Level, Need, NeedReporter, Photo, ProgressNote, Rating
from people import scopes
from people.models import Organisation, OrganisationKind, Role, validate_phone
from places.models import Place, PlaceKind

# Where a need may be placed: a community or inside one (needs of a subdistrict or above no staff would see).
NEED_PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.COURTYARD, PlaceKind.UNIT_SITE,
                    PlaceKind.BUILDING, PlaceKind.ENTRANCE)


def affected_refusal() -> str:
    """Why a number of people affected is refused: it is a whole number from 1 to NEEDS_AFFECTED_MAX (more is a
    typing mistake, not a need). The form and the API say the same."""
    return _("The number of people affected is a whole number from 1 to %(max)s.") % {
        "max": f"{settings.NEEDS_AFFECTED_MAX:,}"}


@dataclass
class Step:
    """The action under way: the locked need, who acts, when, and what they are to the need."""

    need: Need
    actor: object
    at: datetime.datetime
    relations: set[str]


def _text(value, name: str, message: str) -> str:
    """A required text field, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({name: message})
    return value.strip()


def _optional_text(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: _("This field takes text.")})
    return value.strip()


def _phone(value, name: str) -> str:
    phone = "".join(_optional_text(value, name).split())
    try:
        validate_phone(phone)
    except ValidationError as error:
        raise ValidationError({name: error.messages}) from error
    return phone


def _choice(value, name: str, choices, message: str, *, required=True) -> str:
    if not value and not required:
        return ""
    if value not in choices.values:
        raise ValidationError({name: message})
    return value


def _instance(records, value, name: str, message: str):
    """A model instance, given as one or as its integer id. `records` is the model, or a queryset of what the
    actor may choose (needs.choices): an id outside it is refused exactly as one that does not exist, so that
    the answer does not tell whether a record the actor may not see exists."""
    model = records if isinstance(records, type) else records.model
    if isinstance(value, model) and records is model:
        return value
    pk = value.pk if isinstance(value, model) else value if isinstance(value, int) and not isinstance(value, bool) \
        else None
    obj = None if pk is None else (model.objects if records is model else records).filter(pk=pk).first()
    if obj is None:
        raise ValidationError({name: message})
    return obj


def _allowed(records, value, refusal: str):
    """One of `records` (what the actor may choose), else PermissionDenied — the same for an unknown id."""
    try:
        return _instance(records, value, "", refusal)
    except ValidationError:
        raise PermissionDenied(refusal) from None


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({name: _("Answer yes or no.")})
    return value


def _note(step: Step, action: str, text: str, prepared_photos=()) -> ProgressNote | None:
    actor = step.actor if step.actor and step.actor.pk else None
    note = ProgressNote.objects.create(need=step.need, author=actor, action=action, text=text, at=step.at) \
        if text else None
    _save_photos(step, prepared_photos, note)
    return note


def _save_photos(step: Step, prepared_photos, note=None):
    for image_bytes, thumb_bytes in prepared_photos:
        photo = Photo(need=step.need, note=note, token=secrets.token_hex(16), at=step.at,
                      uploaded_by=step.actor if step.actor and step.actor.pk else None)
        photo.image.save("photo.jpg", ContentFile(image_bytes), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(thumb_bytes), save=False)
        photo.save()


def _policy(need: Need) -> dict:
    return deadlines.policy_for(need.category, need.concern_level)


def _set_resolve_due(need: Need, at):
    need.resolve_due = deadlines.add_working_days(at, _policy(need)["resolve_days"])
    need.overdue, need.reminded_due = False, None


def _set_claim_due(need: Need, at):
    need.claim_due = deadlines.add_working_days(at, _policy(need)["claim_days"])
    need.overdue, need.reminded_due = False, None


def _take(need: Need, organisation, person, at):
    need.lead_organisation, need.lead_person = organisation, person
    need.claimed_at = at
    need.reported_in_at = None
    _set_resolve_due(need, at)


def _close(need: Need, at):
    need.closed_at = need.closed_at or at


def _grade(need: Need, rating, at):
    need.rating = _choice(rating, "rating", Rating, _("Choose a grade: very satisfied, satisfied, fairly "
                                                      "satisfied or unsatisfied."))
    need.rated_at = at
    _close(need, at)


def _holder_data(need: Need) -> dict:
    return {"holder": need.holder_label, "organisation": need.lead_organisation_id, "person": need.lead_person_id,
            "resolve_due": need.resolve_due.isoformat()}


# --- The actions, in the order of the lifecycle ---

def submit(step: Step, *, title=None, place=None, description="", category=None, concern_level="", channel="",
           reporter=None, contact_name="", contact_phone="", show_name=False, is_public=True, affected=1, photos=()):
    need, actor = step.need, step.actor
    need.title = _text(title, "title", _("Give the need a short title."))[:100]
    need.description = _optional_text(description, "description")
    need.place = _instance(Place, place, "place", _("Choose the place the need is about."))
    if need.place.kind not in NEED_PLACE_KINDS:
        # Above a community no staff sees it: the need would wait for ever.
        raise ValidationError({"place": _("A need is placed in a community or inside one (a grid, compound, "
                                          "courtyard, unit site, building or entrance), where its staff see it: "
                                          "“%(name)s” is a %(kind)s.") % {
            "name": need.place.name, "kind": need.place.get_kind_display()}})
    if category is not None:
        need.category = _instance(Category, category, "category", _("Choose a category from the list."))
    need.concern_level = _choice(concern_level, "concern_level", ConcernLevel, _("Choose a concern level."),
                                 required=False) or ConcernLevel.ANNOYANCE
    need.channel = _choice(channel, "channel", Channel, _("Choose how the need was found."), required=False) or (
        Channel.ONLINE)
    if reporter is not None:
        # Someone whose record the actor may not open is answered as someone who does not exist.
        reporter = _instance(scopes.persons_visible_to(actor), reporter, "reporter",
                             _("Choose the resident who reported it."))
    elif not permissions.is_recorder(actor):
        reporter = scopes.person_of(actor)  # a resident (or the public: None) reports for themself
    # Staff who record a need without choosing a resident are not its reporter: nobody rates it, the
    # follow-up call (回访) records the grade.
    need.reporter = reporter
    need.contact_name = _optional_text(contact_name, "contact_name")[:50]
    need.contact_phone = _phone(contact_phone, "contact_phone")
    need.show_name = _flag(show_name, "show_name")
    need.is_public = _flag(is_public, "is_public")
    if isinstance(affected, bool) or not isinstance(affected, int) or not 1 <= affected <= (
            settings.NEEDS_AFFECTED_MAX):
        raise ValidationError({"affected": affected_refusal()})
    need.affected = affected
    need.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    need.submitted_at = step.at
    need.accept_due = deadlines.add_working_minutes(step.at, float(_policy(need)["accept_hours"]) * 60)
    if photos:
        need.save()  # the photos' rows point at the need; need_act saves it (again) with its state
        _save_photos(step, photos)
    return {"channel": need.channel, "place": need.place.code, "contact": bool(need.contact_phone),
            "accept_due": need.accept_due.isoformat()}


def accept(step: Step, *, category=None, concern_level=None, is_public=None):
    need = step.need
    if category is None:
        raise ValidationError({"category": _("Choose a category.")})
    need.category = _instance(Category, category, "category", _("Choose a category from the list."))
    need.concern_level = _choice(concern_level, "concern_level", ConcernLevel, _("Choose a concern level."))
    if is_public is not None:
        need.is_public = _flag(is_public, "is_public")
    need.accepted_at = step.at
    _set_claim_due(need, step.at)
    return {"category": need.category.name, "concern_level": need.concern_level,
            "claim_due": need.claim_due.isoformat()}


def reject(step: Step, *, note=None):
    note = _text(note, "note", _("Say why the need is rejected: the resident will read it."))
    _note(step, "reject", note)
    step.need.closed_at = step.at
    return {"note": note}


def merge(step: Step, *, into=None):
    need, message = step.need, _("Choose the earlier need to merge into.")
    if into is None:
        raise ValidationError({"into": message})
    # A need the actor may not see is answered as one that does not exist: the reply tells nothing of it.
    target = Need.objects.select_for_update().get(
        pk=_instance(selectors.needs_visible_to(step.actor), into, "into", message).pk)
    if target.pk == need.pk or target.state in workflow.TURNED_AWAY:
        raise ValidationError({"into": _("Merge into another need that is still open.")})
    if not scopes.covers_place(step.actor, target.place, (Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN)):
        raise PermissionDenied(_("You may only merge into needs in your own area."))
    reporters = {p for p in [need.reporter_id, *need.extra_reporters.values_list("person_id", flat=True)] if p}
    for person_id in reporters - {target.reporter_id}:
        NeedReporter.objects.get_or_create(need=target, person_id=person_id, defaults={"from_need": need})
    need.merged_into = target
    need.closed_at = step.at
    target.affected += need.affected
    target.save(update_fields=["affected", "updated_at"])
    return {"into": target.pk, "reporters_added": len(reporters - {target.reporter_id})}


def publish(step: Step):
    need, at = step.need, step.at
    need.accepted_at = need.accepted_at or at  # escalated straight from intake: the subdistrict takes it in
    need.published_at = need.published_at or at
    need.lead_organisation = need.lead_person = None
    if need.state == workflow.S.ESCALATED:
        _set_claim_due(need, at)
    return {"claim_due": need.claim_due.isoformat() if need.claim_due else None}


def claim(step: Step, *, organisation=None, for_unit=False):
    units = scopes.unit_ids(step.actor)
    if organisation is not None:
        organisation = _instance(Organisation, organisation, "organisation", _("Choose a unit from the list."))
        if organisation.pk not in units:
            raise PermissionDenied(_("You may only claim for a unit you administer."))
        person = None
    elif "party_member" in step.relations and not _flag(for_unit, "for_unit"):
        person = scopes.person_of(step.actor)
    elif len(units) == 1:
        organisation, person = Organisation.objects.get(pk=units[0]), None
    else:
        raise ValidationError({"organisation": _("Choose the unit you claim for.")})
    _take(step.need, organisation, person, step.at)
    return _holder_data(step.need)


def dispatch(step: Step, *, organisation=None, person=None, category=None, concern_level=None):
    need, at = step.need, step.at
    if organisation is not None and person is not None:
        raise ValidationError(_("Choose one unit or one member, not both."))
    if organisation is None and person is None:
        raise ValidationError({"organisation": _("Choose the unit, member or department to dispatch to.")})
    # Only whom the actor may dispatch to (needs.choices): an id outside it, known or not, gets the same 403.
    refusal = _("You may dispatch only to the units and party members of your area; only the subdistrict "
                "dispatches to government departments.")
    if organisation is not None:
        organisation = _allowed(choices.dispatch_organisations(step.actor, need), organisation, refusal)
    if person is not None:
        person = _allowed(choices.dispatch_members(step.actor, need), person, refusal)
    if category is not None:
        need.category = _instance(Category, category, "category", _("Choose a category from the list."))
    if concern_level:
        need.concern_level = _choice(concern_level, "concern_level", ConcernLevel, _("Choose a concern level."))
    need.accepted_at = need.accepted_at or at  # escalated straight from intake: the subdistrict takes it in
    _take(need, organisation, person, at)
    data = _holder_data(need)
    if organisation and organisation.kind == OrganisationKind.GOVERNMENT_DEPARTMENT:
        need.level = Level.DEPARTMENT
        need.report_in_due = deadlines.add_working_minutes(at, _policy(need)["report_in_minutes"])
        data["report_in_due"] = need.report_in_due.isoformat()
    return data


def return_(step: Step, *, note=None):
    need = step.need
    note = _text(note, "note", _("Say why the need is returned to the claim board."))
    previous = need.holder_label
    _note(step, "return", note)
    need.lead_organisation = need.lead_person = None
    need.collaborators.clear()
    need.claimed_at = need.resolve_due = need.report_in_due = None
    _set_claim_due(need, step.at)
    return {"note": note, "holder": previous, "claim_due": need.claim_due.isoformat()}


def start(step: Step):
    return {}


def report_in(step: Step):
    need = step.need
    need.reported_in_at = step.at
    return {"on_time": need.report_in_due is None or step.at <= need.report_in_due}


def progress(step: Step, *, note=None, photos=()):
    note = _text(note, "note", _("Write what was done."))
    _note(step, "progress", note, photos)
    return {"note": note, "photos": len(photos)}


def add_collaborator(step: Step, *, organisation=None):
    need = step.need
    if organisation is None:
        raise ValidationError({"organisation": _("Choose a unit.")})
    organisation = _instance(Organisation, organisation, "organisation", _("Choose a unit from the list."))
    if organisation.pk == need.lead_organisation_id or need.collaborators.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("%(unit)s already works on this need.") % {"unit": organisation}})
    need.collaborators.add(organisation)
    return {"organisation": organisation.pk, "name": organisation.name}


def escalate(step: Step, *, note=None, overdue=False):
    """`overdue` is the deadline sweep's flag (a keyword of the service face, never a field of a request)."""
    need = step.need
    note = _text(note, "note", _("Say why the community cannot solve this itself."))
    need.level = Level.SUBDISTRICT
    need.overdue = overdue
    need.claim_due = deadlines.add_working_days(step.at, _policy(need)["claim_days"])
    need.reminded_due = None
    _note(step, "escalate", note)
    return {"note": note, "level": need.level, "overdue": need.overdue, "from_holder": need.holder_label,
            "claim_due": need.claim_due.isoformat()}


def resolve(step: Step, *, note=None, evidence="", photos=()):
    need = step.need
    note = _text(note, "note", _("Write a completion note: what was done, for whom, when."))
    evidence = _optional_text(evidence, "evidence")
    if not photos and not evidence and not need.photos.filter(note__action="progress").exists():
        raise ValidationError({"photos": _("Add evidence: a photo, or describe it (e.g. the resident signed "
                                           "the acceptance form).")})
    _note(step, "resolve", note, photos)
    need.resolution_note, need.evidence = note, evidence
    need.resolved_at = step.at
    need.resolved_on_time = need.resolve_due is None or step.at <= need.resolve_due
    need.overdue = False
    return {"note": note, "evidence": evidence, "on_time": need.resolved_on_time}


def verify(step: Step, *, note=""):
    note = _optional_text(note, "note")
    _note(step, "verify", note)
    _close(step.need, step.at)
    return {"note": note}


def rate(step: Step, *, rating=None, comment=""):
    need = step.need
    _grade(need, rating, step.at)
    need.rating_comment = _optional_text(comment, "comment")
    return {"rating": need.rating, "comment": need.rating_comment}


def follow_up(step: Step, *, rating=None, note=""):
    need = step.need
    _grade(need, rating, step.at)
    need.rating_comment = ""
    need.rated_by_follow_up = True
    note = _optional_text(note, "note")
    _note(step, "follow_up", note)
    return {"rating": need.rating, "note": note}


def reopen(step: Step, *, note=None):
    need = step.need
    note = _text(note, "note", _("Say what is still wrong."))
    _note(step, "reopen", note)
    need.closed_at = need.resolved_at = need.resolved_on_time = None
    need.rating, need.rating_comment, need.rated_at, need.rated_by_follow_up = "", "", None, False
    _set_resolve_due(need, step.at)
    return {"note": note, "resolve_due": need.resolve_due.isoformat()}


def close_unrated(step: Step):
    _close(step.need, step.at)
    return {}


def remind(step: Step):
    due = workflow.current_due(step.need)
    step.need.reminded_due = due
    return {"due": due.isoformat()}


def flag_overdue(step: Step):
    step.need.overdue = True
    return {"due": workflow.current_due(step.need).isoformat()}


APPLY = {
    "submit": submit, "accept": accept, "reject": reject, "merge": merge, "publish": publish, "claim": claim,
    "dispatch": dispatch, "return": return_, "start": start, "report_in": report_in, "progress": progress,
    "add_collaborator": add_collaborator, "escalate": escalate, "resolve": resolve, "verify": verify,
    "rate": rate, "follow_up": follow_up, "reopen": reopen, "close_unrated": close_unrated, "remind": remind,
    "flag_overdue": flag_overdue,
}
assert set(APPLY) == set(workflow.ACTIONS)
# The keyword arguments each action takes; need_act refuses any other field by name.
FIELDS = {action: frozenset(name for name, p in inspect.signature(apply).parameters.items()
                            if p.kind is p.KEYWORD_ONLY) for action, apply in APPLY.items()}
