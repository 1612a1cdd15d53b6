"""Reads of stations that pages, the API and the sweep share."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from people import scopes
from people.models import Role, RoleAssignment
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
    users = set()
    if site.operator_id:
        users |= set(RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, organisation=site.operator_id)
                     .values_list("user_id", flat=True))
    if not users:
        users |= set(RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF,
                                                   place__code__in=containing_codes(site.place.code))
                     .values_list("user_id", flat=True))
    return users


def alerts_for(user) -> list[dict]:
    """For the home page: per station the user runs, its low-stock items and overdue loans (only those with any)."""
    today = timezone.localdate()
    overdue = Loan.objects.filter(item__site=OuterRef("pk"), returned_at=None, lost_at=None, due_on__lt=today)
    low = Item.objects.filter(site=OuterRef("pk"), kind=ItemKind.CONSUMABLE, active=True, stock__lte=F("low_stock"))
    rows = []
    for site in operated_by(user).filter(Exists(overdue) | Exists(low))[:20]:
        rows.append({"site": site, "low": list(low_stock(site)), "overdue": loans_overdue(site, today).count()})
    return rows
