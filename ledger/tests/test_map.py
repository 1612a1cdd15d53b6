"""The dashboard's map of the grids: open and overdue needs now, private ones included (staff), per grid."""

import json
import re

import pytest
from django.urls import reverse

from needs.models import Need
from needs.services import need_act, need_submit

pytestmark = pytest.mark.django_db


def test_it_colours_the_grids_by_open_and_overdue_needs_now(client, accounts, tree, category):
    staff = accounts["community_staff"]
    for title in ("楼道灯不亮", "私事"):
        need_submit(actor=accounts["resident"], title=title, place=tree["building"], is_public=title != "私事")
    Need.objects.filter(title="私事").update(overdue=True)
    done = need_submit(actor=accounts["resident"], title="已驳回", place=tree["building"])
    need_act(actor=staff, need=done, action="reject", note="重复")
    client.force_login(staff)
    page = client.get(reverse("ledger:dashboard")).content.decode()
    spec = json.loads(re.search(r'<script id="ledger-grid-map" type="application/json">(.*?)</script>', page)[1])
    assert [m["label"] for m in spec["metrics"]] == ["当前未办结", "当前超期"]
    [area] = spec["areas"]
    assert area["values"] == [2, 1] and area["url"].startswith(f"/ledger/dashboard/?place={tree['grid1'].code}&")
    assert client.get(area["url"]).status_code == 200
