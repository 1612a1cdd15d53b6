"""Every form of the ledger reads the same number of queries however many needs there are, in however many
grids, categories, channels, units and members (the roll-ups hold one row per group, never one per need)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needs.models import Category
from needs.tests import conftest as needs_fixtures

second_unit = needs_fixtures.second_unit  # the needs tests' fixture


def views(tree):
    sub = tree["subdistrict"].code
    return {
        "public subdistrict": (reverse("ledger:public", args=[sub]), {"period": "2021"}),
        "public community": (reverse("ledger:public", args=[tree["tqjy"].code]), {"period": "2021-07"}),
        "public grid, custom range": (reverse("ledger:public", args=[tree["grid1"].code]),
                                      {"from": "2021-07-03", "to": "2021-09-20"}),
        "JSON": ("/api/v1/ledger", {"place": sub, "from": "2021-01-01", "to": "2021-12-31"}),
        "dashboard": (reverse("ledger:dashboard"), {"place": sub, "period": "2021-Q3"}),
        "big screen": (reverse("ledger:screen"), {"place": sub, "period": "2021"}),
    }


@pytest.mark.parametrize("view", ["public subdistrict", "public community", "public grid, custom range", "JSON",
                                  "dashboard", "big screen"])
def test_it_reads_every_form_of_the_ledger_in_a_constant_number_of_queries(client, walk, tree, accounts, second_unit,
                                                                          view):
    client.force_login(accounts["subdistrict_admin"])
    path, params = views(tree)[view]

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, params).status_code == 200
        return len(queries)

    need = walk.claimed("2021-07-05 10:00", "2021-07-05 10:30", "一件")
    walk.resolved(need, "2021-07-05 15:00")
    before = count()
    other = Category.objects.get_or_create(name="环境卫生")[0]
    places = [tree["building"], tree["entrance"], tree["compound2"], tree["grid1"], tree["tqjy"]]
    for i, place in enumerate(places * 2):
        day = f"2021-0{7 + i % 3}-1{i}"
        walk.category = other if i % 2 else walk.category
        need = walk.accept(f"{day} 09:00", f"又一件{i}", place, staff="subdistrict_admin",
                           channel=("hotline", "qr", "field_visit")[i % 3])
        need = walk.act(need, "publish", f"{day} 09:30", "subdistrict_admin")
        need = walk.act(need, "claim", f"{day} 10:00", ("unit_admin", "party_member")[i % 2])
        if i % 3:
            walk.act(need, "resolve", f"{day} 15:00", ("unit_admin", "party_member")[i % 2], note="已办结",
                     evidence="居民签字")
        else:
            walk.act(need, "add_collaborator", f"{day} 12:00", "subdistrict_admin", organisation=second_unit)
    assert count() == before
