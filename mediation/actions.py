"""What each action changes on a dispute. dispute_act (mediation.services) locks the dispute, checks the stage and
who may (mediation.workflow, mediation.permissions), then calls the action's function here with the typed fields;
the function changes the dispute (and its agreement, parties, mediators) and returns the data its event records:
keys, dates and codes — never a name, a phone or the text of a record (the parties may be named in it)."""

import datetime
import inspect
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mediation import workflow
from mediation.models import LEVEL_ORDER, Agreement, Dispute, Level, MediatorKind, Outcome, Party, PartyRole
from people.masking import mask_phone
from people.models import Role, RoleAssignment
from people.public import ID_CARD, PHONE

MEDIATOR_FIELDS = {"kind", "person", "team", "user"}  # mediation.services.mediator_add's
COMMUNITY_CODE_LENGTH, SUBDISTRICT_CODE_LENGTH = 12, 9  # places.models.PLACE_RULES


@dataclass
class Step:
    """The action under way: the locked dispute, who acts and when, and the mediators an escalation adds
    (dispute_act writes them after the dispute)."""

    dispute: Dispute
    actor: object
    at: datetime.datetime
    mediators: list[dict] = field(default_factory=list)


def text(value, name: str, *, required: bool, limit: int = 4000, message: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: _("This field takes text.")})
    value = value.strip()
    if required and not value:
        raise ValidationError({name: message or _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({name: _("At most %(limit)d characters.") % {"limit": limit}})
    return value


def masked(value: str) -> str:
    """A record's text as stored: phones and ID-card numbers masked (the case's readers see the parties' names
    and addresses in full; a phone is revealed only through the logged party_phone_reveal)."""
    if not value:
        return value
    value = ID_CARD.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 3), value)
    return PHONE.sub(lambda m: mask_phone("".join(c for c in m[1] if c.isdigit())), value)


def date(value, name: str, message: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({name: message})
    return value


def level_above(level: str) -> str | None:
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i + 1] if i + 1 < len(LEVEL_ORDER) else None


def level_mediators(dispute: Dispute, level: str) -> list[dict]:
    """Who mediates at a level when an escalation names nobody: the community's staff accounts, the
    subdistrict's admins (beyond the subdistrict: the body it is referred to, not an account here)."""
    code = dispute.place.code
    if level == Level.COMMUNITY and len(code) >= COMMUNITY_CODE_LENGTH:
        role, kind, code = Role.COMMUNITY_STAFF, MediatorKind.COMMUNITY, code[:COMMUNITY_CODE_LENGTH]
    elif level == Level.SUBDISTRICT and len(code) >= SUBDISTRICT_CODE_LENGTH:
        role, kind, code = Role.SUBDISTRICT_ADMIN, MediatorKind.SUBDISTRICT, code[:SUBDISTRICT_CODE_LENGTH]
    else:
        return []
    users = RoleAssignment.objects.filter(role=role, place__code=code).select_related("user")
    return [{"kind": kind, "user": a.user} for a in sorted(users, key=lambda a: a.user_id)]


def has_parties(dispute: Dispute) -> bool:
    roles = set(Party.objects.filter(dispute=dispute, refused=False).values_list("role", flat=True))
    return PartyRole.APPLICANT in roles and bool(roles - {PartyRole.APPLICANT})


# --- The actions ---

def assess(step: Step, *, level=None):
    d = step.dispute
    if level not in (None, ""):
        if level not in Level.values:
            raise ValidationError({"level": _("Choose a level from the list.")})
        d.level = level
    d.assessed_at = step.at
    return {"level": d.level}


def mediate(step: Step):
    return {}


def record(step: Step):
    return {}


def _conclude(step: Step, outcome: str):
    d = step.dispute
    d.outcome, d.concluded_at = outcome, step.at
    d.settled_level = d.level if outcome == Outcome.AGREEMENT else ""


def agree(step: Step, *, facts=None, terms=None, performance=None, perform_by=None, signed_on=None):
    d = step.dispute
    if not has_parties(d):
        raise ValidationError(_("An agreement names its parties: record the applicant and the other party first."))
    facts = text(facts, "facts", required=True, message=_("State the facts and the disputed matters."))
    terms = text(terms, "terms", required=True, message=_("State the terms the parties agreed."))
    performance = text(performance, "performance", required=True, limit=2000,
                       message=_("Say how the terms are performed."))
    signed_on = date(signed_on, "signed_on", _("Give the date the agreement is signed."))
    perform_by = date(perform_by, "perform_by", _("Give the date by which the terms are performed."))
    if perform_by < signed_on:
        raise ValidationError({"perform_by": _("The terms are performed on or after the day of signing.")})
    if signed_on > step.at.date() + datetime.timedelta(days=1):
        raise ValidationError({"signed_on": _("An agreement is recorded once signed: the date is in the future.")})
    _conclude(step, Outcome.AGREEMENT)
    agreement = Agreement.objects.filter(dispute=d).first()  # a reopened case's agreement is revised in place
    revised = agreement is not None
    agreement = agreement or Agreement(dispute=d, number=agreement_number(d, signed_on), created_at=step.at)
    agreement.facts, agreement.terms, agreement.performance = masked(facts), masked(terms), masked(performance)
    agreement.perform_by, agreement.signed_on = perform_by, signed_on
    agreement.full_clean(exclude=["dispute"])
    agreement.save()
    d.agreement = agreement
    return {"outcome": d.outcome, "settled_level": d.settled_level, "agreement": agreement.pk,
            "number": agreement.number, "perform_by": perform_by.isoformat(), "revised": revised}


def agreement_number(dispute: Dispute, signed_on: datetime.date) -> str:
    """天庆调〔2021〕3号: the community's short name, the year, the next number of its agreements that year.
    The caller holds the community's row lock, so two agreements never take one number."""
    from places.models import Place

    code = dispute.place.code[:COMMUNITY_CODE_LENGTH]
    community = Place.objects.filter(code=code).first() or dispute.place
    short = community.name.removesuffix("社区")[:2]
    prefix = f"{short}调〔{signed_on.year}〕"
    taken = Agreement.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    n = max((int(t[len(prefix):-1]) for t in taken if t[len(prefix):-1].isdigit()), default=0) + 1
    return f"{prefix}{n}号"


def no_agreement(step: Step, *, referred_to=None):
    d = step.dispute
    d.referred_to = text(referred_to, "referred_to", required=True, limit=100,
                         message=_("Say where the parties are referred: 12345热线, 人民法院, another body."))
    _conclude(step, Outcome.NO_AGREEMENT)
    return {"outcome": d.outcome, "referred_to": d.referred_to}


def refuse(step: Step, *, party=None):
    d = step.dispute
    if not isinstance(party, Party) or party.dispute_id != d.pk:
        raise ValidationError({"party": _("Choose the party who refuses mediation.")})
    party.refused = True
    party.save(update_fields=["refused"])
    _conclude(step, Outcome.REFUSED)
    return {"outcome": d.outcome, "party": party.pk}


def withdraw(step: Step):
    _conclude(step, Outcome.WITHDRAWN)
    return {"outcome": step.dispute.outcome}


def escalate(step: Step, *, mediators=()):
    d = step.dispute
    above = level_above(d.level)
    if above is None:
        raise ValidationError(_("This dispute is already beyond the subdistrict: refer it to the body that handles "
                                "it (no agreement: refer)."))
    try:
        named = [dict(m) for m in mediators or ()]
    except (TypeError, ValueError):
        named = None
    if named is None or any(set(m) - MEDIATOR_FIELDS or m.get("kind") not in MediatorKind.values for m in named):
        raise ValidationError({"mediators": _("Name each mediator of the next level by kind and person, team or "
                                              "account.")})
    d.level = above
    step.mediators = [{**m, "level": above} for m in (named or level_mediators(d, above))]
    return {"level": above, "mediators": len(step.mediators)}


def feed_back(step: Step):
    step.dispute.fed_back_at = step.at
    return {}


def follow_up(step: Step, *, performed=None):
    if not isinstance(performed, bool):
        raise ValidationError({"performed": _("Say whether the terms were performed.")})
    d = step.dispute
    d.performed, d.closed_at = performed, step.at
    return {"performed": performed}


def reopen(step: Step):
    d = step.dispute
    d.outcome, d.settled_level, d.referred_to = "", "", ""
    d.concluded_at = d.fed_back_at = d.performed = None
    return {}


APPLY = {
    "assess": assess, "mediate": mediate, "record": record, "agree": agree, "no_agreement": no_agreement,
    "refuse": refuse, "withdraw": withdraw, "escalate": escalate, "feed_back": feed_back, "follow_up": follow_up,
    "reopen": reopen,
}
assert set(APPLY) | {"receive"} == set(workflow.ACTIONS)
# The keyword arguments each action takes; dispute_act refuses any other field by name.
FIELDS = {action: frozenset(name for name, p in inspect.signature(apply).parameters.items()
                            if p.kind is p.KEYWORD_ONLY) for action, apply in APPLY.items()}
# A stage's record is the point of these: they are refused without one.
NOTE_REQUIRED = {"assess", "record", "escalate", "feed_back", "follow_up", "reopen", "withdraw"}
