"""A busy station's desk: its overdue loans counted in full but only the earliest few listed above the desk's
buttons (all of them lead the loans out below, a page at a time), in as many queries for 12 loans as for 2."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sites.desk_views import OVERDUE_SHOWN
from sites.services import item_create, loan_create

pytestmark = pytest.mark.django_db


def desk(client, station):
    url = reverse("sites:desk", args=[station.pk])
    client.get(url)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).content.decode()
    return body, len(queries.captured_queries)


def test_the_desk_counts_every_overdue_loan_and_lists_the_earliest(client, accounts, station, root):
    operator = accounts["unit_admin"]
    umbrellas = item_create(actor=root, site=station, kind="lendable", name="大伞", unit="把", units=30, loan_days=3)

    def lend(n, days_ago):
        return [loan_create(actor=operator, item=umbrellas, borrower_name=f"借伞人{i}", borrower_phone="13900002222",
                            at=timezone.now() - datetime.timedelta(days=days_ago + i)) for i in range(n)]

    lend(2, 9)
    client.force_login(operator)
    _body, few = desk(client, station)
    late = lend(10, 20)
    body, many = desk(client, station)
    alerts = body.split('id="alerts-h"')[1].split("</section>")[0]
    assert "12件逾期未还" in alerts
    assert alerts.count("sites/loans/") == OVERDUE_SHOWN  # the earliest few, each with its button
    assert f'action="{reverse("sites:loan_return", args=[late[-1].pk])}"' in alerts  # the longest overdue first
    assert 'href="#loans"' in alerts and "借出中 12 件" in alerts
    assert many == few
