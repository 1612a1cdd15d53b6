"""Booking notices: an inbox line per recipient in the step's transaction (core.notify), and its message through
the gateway after commit — at least once: a message whose task was lost is sent by the minutely resend, once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import InboxLine, OutboxMessage
from core.notify import LEASE, RESEND_AFTER, messages_resend
from offers.services import booking_cancel, booking_request

pytestmark = pytest.mark.django_db


class FakeSms:
    sent: list = []

    def send(self, user, subject, text):
        self.sent.append((user.username, text))


def test_the_message_goes_out_after_commit(session, accounts, provider, settings, mailoutbox,
                                           django_capture_on_commit_callbacks):
    accounts["resident"].email = "resident@example.org"
    accounts["resident"].save()
    booking = booking_request(actor=accounts["resident"], session=session)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=provider, booking=booking, reason="车辆检修")
    assert [m.to for m in mailoutbox] == [["resident@example.org"]]
    assert "爱心送考免费接送" in mailoutbox[0].body and "车辆检修" in mailoutbox[0].body
    line = InboxLine.objects.get(user=accounts["resident"], verb="cancel")
    assert (line.subject, line.link) == (f"offers.booking:{booking.pk}", reverse("offers:booking", args=[booking.pk]))
    assert not OutboxMessage.objects.filter(user=accounts["resident"], text=line.text).exists()  # sent


def test_a_message_whose_task_was_lost_is_sent_once_by_the_resend(session, accounts, provider, settings):
    settings.NEEDS_NOTIFY_GATEWAY = "offers.tests.test_notify.FakeSms"
    FakeSms.sent = []
    booking = booking_request(actor=accounts["resident"], session=session)  # no task ran: no commit in a test
    booking_cancel(actor=provider, booking=booking, at=timezone.now())
    line = InboxLine.objects.get(user=accounts["resident"], verb="cancel")
    waiting = OutboxMessage.objects.count()
    assert OutboxMessage.objects.filter(user=accounts["resident"], text=line.text).exists()
    assert messages_resend(now=timezone.now() + RESEND_AFTER / 2) == 0  # its own task may still be on the way
    later = timezone.now() + RESEND_AFTER + datetime.timedelta(seconds=1)
    assert messages_resend(now=later) == waiting and ("resident1", line.text) in FakeSms.sent
    assert messages_resend(now=later + datetime.timedelta(minutes=5)) == 0  # once
    assert not OutboxMessage.objects.exists()


def test_a_claimed_message_waits_for_its_lease(session, accounts, provider, settings):
    settings.NEEDS_NOTIFY_GATEWAY = "offers.tests.test_notify.FakeSms"
    FakeSms.sent = []
    booking = booking_request(actor=accounts["resident"], session=session)
    booking_cancel(actor=provider, booking=booking)
    now = timezone.now() + datetime.timedelta(minutes=5)
    waiting = OutboxMessage.objects.update(claimed_at=now)  # another sender took them
    assert messages_resend(now=now + datetime.timedelta(seconds=30)) == 0
    assert messages_resend(now=now + LEASE + datetime.timedelta(seconds=1)) == waiting >= 1


def test_a_failing_gateway_does_not_stop_the_others(session, accounts, provider, settings):
    settings.NEEDS_NOTIFY_GATEWAY = "offers.tests.test_notify.Broken"
    booking = booking_request(actor=accounts["resident"], session=session)
    booking_cancel(actor=provider, booking=booking)
    waiting = OutboxMessage.objects.count()
    assert messages_resend(now=timezone.now() + RESEND_AFTER * 2) == waiting >= 1
    assert not OutboxMessage.objects.exists()  # the inbox has the line; no endless retry
    assert InboxLine.objects.filter(user=accounts["resident"], verb="cancel").exists()


class Broken:
    def send(self, user, subject, text):
        raise ConnectionError("gateway down")


def test_the_inbox_lists_a_bookings_line_and_a_needs_newest_first(client, session, accounts, provider, tree):
    """One inbox for every app: the resident sees "your booking is confirmed" beside their need's step, each
    opening its own page, and the header counts both."""
    from needs.services import need_act, need_submit

    resident = accounts["resident"]
    need = need_submit(actor=resident, title="楼道灯不亮", place=tree["building"])
    need_act(actor=accounts["community_staff"], need=need, action="reject", note="已由物业修好")
    booking = booking_request(actor=resident, session=session)
    client.force_login(resident)
    page = client.get(reverse("inbox")).content.decode()
    booked, rejected = InboxLine.objects.get(user=resident, verb="confirm"), InboxLine.objects.get(user=resident,
                                                                                                  verb="reject")
    assert booked.text in page and rejected.text in page and page.index(booked.text) < page.index(rejected.text)
    assert 'class="count" title="未读">2</span>' in page
    assert client.post(reverse("inbox_open", args=[booked.pk])).url == reverse("offers:booking", args=[booking.pk])
    assert client.post(reverse("inbox_open", args=[rejected.pk])).url == reverse("needs:detail", args=[need.pk])
