"""What the benchmark's clients need from the generated city: API tokens and the ids to ask for.
Run in a child process (`manage.py shell -c`); prints one JSON line."""

import json
import random

from django.apps import apps
from django.contrib.auth.models import User

from needs.models import Category, Need
from people.models import Role, RoleAssignment
from people.services import api_token_issue
from places.models import Place


def main(claims: int):
    print(json.dumps(read(claims)))


def read(claims: int) -> dict:
    """Fresh API tokens and the ids the scenarios ask for."""
    rng = random.Random(3)
    community = Place.objects.filter(kind="community").order_by("code").first()
    grid = Place.objects.filter(kind="grid", code__startswith=community.code).order_by("code").first()
    closed = list(Need.objects.filter(is_public=True, state="closed", place__code__startswith=community.code)
                  .order_by("-id").values_list("id", flat=True))
    deep = min(2000, len(closed) // 2)
    units = (RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, organisation__kind="co_building_unit")
             .order_by("id").select_related("user")[:32])
    staff = User.objects.get(role_assignments__role=Role.COMMUNITY_STAFF, role_assignments__place=community)
    worker = User.objects.get(role_assignments__role=Role.GRID_WORKER, role_assignments__place=grid)
    published = list(Need.objects.filter(state="published").order_by("-id").values_list("id", flat=True)[:2 * claims])
    # The other published needs by subdistrict (the first two): claims raced within one chain or two at once.
    subdistricts = list(Place.objects.filter(kind="subdistrict").order_by("code").values_list("code", flat=True)[:2])
    published_in = {code: list(Need.objects.filter(state="published", place__code__startswith=code)
                               .exclude(id__in=published).order_by("id").values_list("id", flat=True))
                    for code in subdistricts}
    fixtures = {
        "tokens": {"community_staff": api_token_issue(user=staff)[0], "grid_worker": api_token_issue(user=worker)[0]},
        "units": [(api_token_issue(user=a.user)[0], a.organisation_id) for a in units],
        "community": community.code,
        "cursor": closed[deep] if closed else 2**62,
        "details": rng.sample(closed, min(50, len(closed))),
        "buildings": list(Place.objects.filter(kind="building", code__startswith=grid.code)
                          .values_list("code", flat=True)[:50]),
        "category": Category.objects.get(name="设施维修").pk,
        "published": sorted(published),
        "published_in": published_in,
    }
    if apps.is_installed("offers"):  # written by bench.city_apps
        from offers.models import Booking

        fixtures["bookings"] = list(Booking.objects.filter(session__offer__communities=community).order_by("id")
                                    .values_list("id", flat=True)[:50])
    if apps.is_installed("ledger"):
        subdistrict = Place.objects.filter(kind="subdistrict").order_by("code").first()
        fixtures["scopes"] = {"grid": grid.code, "community": community.code, "subdistrict": subdistrict.code,
                              "city": Place.objects.get(kind="city").code}
        fixtures["ledger_year"] = 2025
    return fixtures

