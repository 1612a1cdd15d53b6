"""The city's offers, their sessions and bookings, and its volunteer activities, written through the services as
the demo writes them, after the needs: what the new apps' hot reads (the offers list, a booking, the activities
list) read at scale. Each community's staff lists its offers (given by one of its co-building units), books a
place for residents and puts on its activities, all in the weeks to come."""

import datetime
import random

from django.utils import timezone

from offers.models import OfferKind
from offers.services import booking_request, offer_create, session_create
from people.models import Organisation, Person, Role, RoleAssignment
from places.models import Place
from volunteering.models import ActivityKind
from volunteering.services import activity_create

OFFERS = [(OfferKind.CLINIC, "义诊"), (OfferKind.LECTURE, "健康讲座"), (OfferKind.CONSULTATION, "法律咨询"),
          (OfferKind.TRAINING, "手机使用培训"), (OfferKind.TRANSPORT, "就医接送")]
ACTIVITIES = [(ActivityKind.CLEAN_UP, "环境清洁"), (ActivityKind.TRAFFIC, "文明交通劝导"),
              (ActivityKind.CARE, "关爱独居老人"), (ActivityKind.FIRE, "消防安全宣传")]


def build_apps(*, per_community: int = 3, seed: int = 1) -> dict:
    """`per_community` offers (two sessions each, residents booked on the first) and activities per community."""
    rng = random.Random(seed)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    staff = {a.place_id: a.user for a in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_STAFF, place__kind="community").select_related("user").order_by("id")}
    counts = {"offers": 0, "bookings": 0, "activities": 0}
    for community in Place.objects.filter(kind="community", pk__in=staff).order_by("code"):
        actor = staff[community.pk]
        units = list(Organisation.objects.filter(kind="co_building_unit", place__code__startswith=community.code)
                     .order_by("id")[:per_community])
        residents = list(Person.objects.filter(home__code__startswith=community.code).order_by("id")[:per_community])
        for i in range(per_community):
            unit = units[i % len(units)] if units else None
            kind, name = OFFERS[(i + rng.randrange(len(OFFERS))) % len(OFFERS)]
            day = now + datetime.timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 6))
            offer = offer_create(actor=actor, kind=kind, name=f"{community.name}{name}", communities=[community],
                                 organisation=unit, description=f"{name}，每周一次，欢迎居民预约。",
                                 horizon_days=60, is_published=True)
            first, _next_week = [session_create(actor=actor, offer=offer, starts_at=day + datetime.timedelta(weeks=k),
                                                ends_at=day + datetime.timedelta(weeks=k, hours=2), capacity=10)
                                 for k in (0, 1)]
            counts["offers"] += 1
            for person in residents[: 1 + i]:
                booking_request(actor=actor, session=first, person=person)
                counts["bookings"] += 1
            kind, name = ACTIVITIES[(i + rng.randrange(len(ACTIVITIES))) % len(ACTIVITIES)]
            activity_create(actor=actor, kind=kind, name=f"{community.name}{name}", place=community,
                            starts_at=day, ends_at=day + datetime.timedelta(hours=3), organisation=unit,
                            capacity=20, description="请穿志愿者马甲，提前十分钟到。")
            counts["activities"] += 1
    return counts
