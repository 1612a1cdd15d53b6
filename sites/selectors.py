"""Reads of stations that pages, the API and the sweep share."""

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from people import scopes
from people.masking import mask_name
from people.models import Role, RoleAssignment
from people.selectors import accounts_of
from places.models import containing_codes
from sites.models import Item, ItemKind, Loan, Site, SiteKind


def stations(q: str = "", community: str = "") -> QuerySet:
    """Stations, searchable by name or pinyin, optionally within a community (its code, or any place code)."""
    qs = Site.objects.filter(kind=SiteKind.STATION).filter(Site.search_q(q)).select_related("place", "operator")
    if community:
        qs = qs.filter(place__code__startswith=community)
    return qs.order_by("name", "pk")


def items_of(site: Site) -> QuerySet:
    """A station's offered items, each with `out` (units on loan now) and `free` for lendables."""
    out = Count("loans", filter=Q(loans__returned_at=None, loans__lost_at=None))
    return site.items.filter(active=True).annotate(out=out).order_by("kind", "name")


def available_now(site: Site) -> list[Item]:
    """What a visitor may have now: consumables in stock, lendables with a free unit (no borrower is named)."""
    items = []
    for item in items_of(site):
        item.free = max(0, item.units - item.out) if item.kind == ItemKind.LENDABLE else item.stock
        items.append(item)
    return items


def loans_open(site: Site) -> QuerySet:
    return (Loan.objects.filter(item__site=site, returned_at=None, lost_at=None)
            .select_related("item", "person").order_by("due_on", "pk"))


def loans_overdue(site: Site | None = None, today=None) -> QuerySet:
    today = today or timezone.localdate()
    qs = Loan.objects.filter(returned_at=None, lost_at=None, due_on__lt=today)
    return qs.filter(item__site=site) if site is not None else qs


def low_stock(site: Site) -> QuerySet:
    return site.items.filter(kind=ItemKind.CONSUMABLE, active=True, stock__lte=F("low_stock")).order_by("name")


def operated_by(user) -> QuerySet:
    """The stations the user runs: its units' stations, and the stations in the area of its staff roles."""
    qs = Site.objects.filter(kind=SiteKind.STATION)
    if scopes.is_superuser(user):
        return qs
    q = Q(operator__in=scopes.unit_ids(user))
    prefixes = scopes.place_prefixes(user, (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF))
    for prefix in prefixes:
        q |= Q(place__code__startswith=prefix)
    return qs.filter(q) if (prefixes or scopes.unit_ids(user)) else qs.none()


def operator_users(site: Site) -> set[int]:
    """The accounts that run the station: its operator unit's admins, else the staff of its community."""
    users = accounts_of(organisation_id=site.operator_id)
    if not users:
        users |= set(RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF,
                                                   place__code__in=containing_codes(site.place.code))
                     .values_list("user_id", flat=True))
    return users


def alerts_for(user, limit: int = 20) -> list[dict]:
    """For the home page: each station the user runs with something to see to — its low-stock items and how many
    of its loans are overdue — in three queries whatever the number of stations."""
    stations = operated_by(user)
    low: dict[int, list] = {}
    for item in Item.objects.filter(site__in=stations, kind=ItemKind.CONSUMABLE, active=True,
                                    stock__lte=F("low_stock")).order_by("name")[:200]:
        low.setdefault(item.site_id, []).append(item)
    overdue = dict(loans_overdue().filter(item__site__in=stations).values_list("item__site")
                   .annotate(n=Count("pk")).values_list("item__site", "n"))
    wanted = set(low) | set(overdue)
    if not wanted:
        return []
    return [{"site": site, "low": low.get(site.pk, []), "overdue": overdue.get(site.pk, 0)}
            for site in Site.objects.filter(pk__in=wanted).order_by("name")[:limit]]


def borrower_label(loan_or_movement) -> str:
    """Whom it went to, as the operator's desk and the operators' API show it: a person on record masked, a
    passer-by as the operator typed them (private to the station's operators: never on a public page)."""
    person = loan_or_movement.person
    if person is not None:
        return mask_name(person.name)
    if isinstance(loan_or_movement, Loan):
        return f"{loan_or_movement.borrower_name} {loan_or_movement.borrower_phone}".strip()
    return loan_or_movement.recipient
