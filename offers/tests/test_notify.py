"""Booking notices: an inbox line per recipient in the step's transaction, and its message through the gateway
after commit — at least once: a message whose task was lost is sent by the minutely resend, once."""

import datetime

import pytest
from django.utils import timezone

from offers.models import Notice
from offers.notify import LEASE, RESEND_AFTER, notices_resend
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
    assert Notice.objects.get(user=accounts["resident"], verb="cancel").sent_at is not None


def test_a_message_whose_task_was_lost_is_sent_once_by_the_resend(session, accounts, provider, settings):
    settings.NEEDS_NOTIFY_GATEWAY = "offers.tests.test_notify.FakeSms"
    FakeSms.sent = []
    booking = booking_request(actor=accounts["resident"], session=session)  # no task ran: no commit in a test
    booking_cancel(actor=provider, booking=booking, at=timezone.now())
    notice = Notice.objects.get(user=accounts["resident"], verb="cancel")
    assert notice.sent_at is None
    assert notices_resend(now=notice.at + RESEND_AFTER / 2) == 0  # its own task may still be on the way
    later = notice.at + RESEND_AFTER + datetime.timedelta(seconds=1)
    sent = notices_resend(now=later)
    assert sent == Notice.objects.count() and ("resident1", notice.text) in FakeSms.sent
    assert notices_resend(now=later + datetime.timedelta(minutes=5)) == 0  # once
    assert not Notice.objects.filter(sent_at=None).exists()


def test_a_claimed_message_waits_for_its_lease(session, accounts, provider, settings):
    settings.NEEDS_NOTIFY_GATEWAY = "offers.tests.test_notify.FakeSms"
    FakeSms.sent = []
    booking = booking_request(actor=accounts["resident"], session=session)
    booking_cancel(actor=provider, booking=booking)
    now = timezone.now() + datetime.timedelta(minutes=5)
    Notice.objects.update(claimed_at=now)  # another sender took them
    assert notices_resend(now=now + datetime.timedelta(seconds=30)) == 0
    assert notices_resend(now=now + LEASE + datetime.timedelta(seconds=1)) == Notice.objects.count()


def test_a_failing_gateway_does_not_stop_the_others(session, accounts, provider, settings):
    settings.NEEDS_NOTIFY_GATEWAY = "offers.tests.test_notify.Broken"
    booking = booking_request(actor=accounts["resident"], session=session)
    booking_cancel(actor=provider, booking=booking)
    assert notices_resend(now=timezone.now() + RESEND_AFTER * 2) == Notice.objects.count() >= 1
    assert not Notice.objects.filter(sent_at=None).exists()  # the inbox has the line; no endless retry


class Broken:
    def send(self, user, subject, text):
        raise ConnectionError("gateway down")
