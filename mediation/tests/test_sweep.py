"""The daily sweep: an open dispute past its settle-by date is marked overdue and its mediators and the community's
staff are told, once; a dispute fed back MEDIATION_FOLLOW_UP_DAYS ago reminds its mediators to follow up, once."""

import datetime

import pytest

from core.models import Event, InboxLine
from mediation.models import Dispute
from mediation.services import dispute_agree, dispute_assess, dispute_feed_back, dispute_mediate
from mediation.tasks import mediation_sweep
from mediation.tests.conftest import NOW
from needs.permissions import system_user

pytestmark = pytest.mark.django_db


def test_an_open_dispute_past_its_date_is_marked_overdue_once(dispute, pair, accounts):
    assert mediation_sweep(now=NOW + datetime.timedelta(days=29))["overdue"] == 0
    at = NOW + datetime.timedelta(days=31)
    assert mediation_sweep(now=at)["overdue"] == 1
    assert Dispute.objects.get(pk=dispute.pk).overdue
    event = Event.objects.get(verb="dispute_overdue")
    assert event.actor == system_user() and event.data["state"] == "received"
    told = set(InboxLine.objects.filter(verb="dispute_overdue").values_list("user_id", flat=True))
    assert told == {pair["head"].pk, pair["manager"].pk, accounts["community_staff"].pk}
    assert mediation_sweep(now=at + datetime.timedelta(days=1))["overdue"] == 0  # once


def test_a_concluded_dispute_is_not_overdue(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判", at=NOW)
    dispute_mediate(actor=pair["head"], dispute=dispute, at=NOW)
    dispute_agree(actor=pair["head"], dispute=dispute, facts="渗水", terms="修", performance="自修",
                  perform_by=datetime.date(2021, 6, 20), signed_on=datetime.date(2021, 6, 1), at=NOW)
    assert mediation_sweep(now=NOW + datetime.timedelta(days=40))["overdue"] == 0


def test_the_follow_up_is_due_after_the_setting(dispute, pair, settings):
    settings.MEDIATION_FOLLOW_UP_DAYS = 14
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判", at=NOW)
    dispute_mediate(actor=pair["head"], dispute=dispute, at=NOW)
    dispute_agree(actor=pair["head"], dispute=dispute, facts="渗水", terms="修", performance="自修",
                  perform_by=datetime.date(2021, 6, 10), signed_on=datetime.date(2021, 6, 1), at=NOW)
    dispute_feed_back(actor=pair["head"], dispute=dispute, note="已反馈", at=NOW)
    assert mediation_sweep(now=NOW + datetime.timedelta(days=13))["follow_up"] == 0
    assert mediation_sweep(now=NOW + datetime.timedelta(days=15))["follow_up"] == 1
    assert mediation_sweep(now=NOW + datetime.timedelta(days=16))["follow_up"] == 0
    lines = InboxLine.objects.filter(verb="dispute_follow_up_due")
    assert set(lines.values_list("user_id", flat=True)) == {pair["head"].pk, pair["manager"].pk}
    assert lines.first().text.startswith("该回访了") and lines.first().link == f"/mediation/{dispute.pk}/"
