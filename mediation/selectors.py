"""Reads of disputes that pages, API and the agreement share: the list in the user's scope, a party as shown
(masked unless asked in full), the case file by stage, a building's pair."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import permissions, workflow
from mediation.models import BuildingPair, Dispute, Party
from people.masking import mask_name, mask_room
from places.selectors import within

NEIGHBOUR_DISPUTE = "邻里纠纷"  # the needs category (needs migration 0002) a dispute may come from


def case_link(dispute: Dispute) -> str:
    """The case's page (mediation.urls), where notices and the need's page link."""
    return f"/mediation/{dispute.pk}/"


def building_pair_of(place) -> BuildingPair | None:
    """The pair of the building holding the place (the place itself, or an entrance's building)."""
    code = permissions.building_code(place)
    if not code:
        return None
    return BuildingPair.objects.filter(building__code=code).select_related("head", "manager", "building").first()


def disputes_for(user, *, state: str = "", kind: str = "", level: str = "", place=None, text: str = "",
                 overdue: bool | None = None) -> QuerySet:
    """The disputes the user may open, newest first, filtered; `overdue` True: open past their settle-by date."""
    qs = Dispute.objects.filter(permissions.disputes_visible_q(user)).select_related("place")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if place is not None:
        qs = qs.filter(within(place, "place"))
    if text:
        qs = qs.filter(title__icontains=text.strip())
    if overdue is not None:
        late = Q(state__in=workflow.OPEN, due_at__lt=timezone.now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs.order_by("-received_at", "-id")


def party_name(party: Party) -> str:
    return party.person.name if party.person_id else party.name


def party_address(party: Party) -> str:
    if party.address or not party.person_id:
        return party.address
    return party.person.room


def _masked_address(address: str) -> str:
    """3单元502 → 3单元***: the entrance stays (the case's place shows it anyway), the room goes."""
    if "单元" in address:
        head, _, rest = address.partition("单元")
        return f"{head}单元{mask_room(rest)}"
    return mask_room(address)


def party_label(party: Party, *, full: bool = False) -> str:
    """A party as shown: 张* · 3单元*** by default; in full (张三 · 3单元502) only for a logged view."""
    name, address = party_name(party), party_address(party)
    if not full:
        name, address = mask_name(name), _masked_address(address)
    return " · ".join(p for p in (name, address) if p)


def case_file(dispute: Dispute) -> dict:
    """The case file: each stage (mediation.workflow.STAGES, in order) with its records, the parties, the
    mediators and the agreement. Names are as stored: the caller decides whom it shows them to."""
    steps = list(dispute.steps.select_related("actor").order_by("at", "id"))
    stages = [{"key": key, "label": label, "steps": [s for s in steps if workflow.ACTIONS[s.action].stage == key]}
              for key, label in workflow.STAGES.items()]
    return {
        "dispute": dispute,
        "stages": stages,
        "steps": steps,
        "parties": list(dispute.parties.select_related("person")),
        "mediators": list(dispute.mediators.select_related("person", "team", "user")),
        "agreement": getattr(dispute, "agreement", None) if dispute.pk else None,
    }


def need_mediation(need, viewer) -> list[tuple[str, str]]:
    """What a need's page says of mediation (needs.hooks origins, registered in mediation.apps): 已转人民调解 — to
    the public nothing more, to the case's readers a link to the case; for those who record disputes there, a need
    of the category 邻里纠纷 not yet turned offers the way to do it."""
    dispute = Dispute.objects.filter(need=need).select_related("place").first()
    if dispute is not None:
        return [(_("Transferred to people's mediation"), case_link(dispute) if permissions.may_read(viewer, dispute)
                 else "")]
    if (need.category_id and need.category.name == NEIGHBOUR_DISPUTE
            and permissions.may_receive(viewer, need.place)):
        return [(_("Turn into a mediation case"), f"/mediation/from-need/{need.pk}/")]
    return []
