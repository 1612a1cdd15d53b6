"""Reminders: a confirmed booking is reminded OFFERS_REMIND_HOURS before its start, once, by the system (an event
and a notice to the booker); a booking not confirmed, cancelled or of a cancelled session is not."""

import datetime

import pytest

from core.models import Event, InboxLine
from core.notify import subject_key
from needs.permissions import system_user
from offers.models import Booking
from offers.services import booking_cancel, booking_request, offer_update
from offers.tasks import bookings_sweep, bookings_sweep_task

pytestmark = pytest.mark.django_db


def test_a_confirmed_booking_is_reminded_once_before_its_start(session, accounts, settings):
    settings.OFFERS_REMIND_HOURS = 24
    booking = booking_request(actor=accounts["resident"], session=session)
    before = session.starts_at - datetime.timedelta(hours=25)
    assert bookings_sweep(now=before)["remind"] == 0
    at = session.starts_at - datetime.timedelta(hours=23)
    assert bookings_sweep(now=at)["remind"] == 1
    booking.refresh_from_db()
    assert booking.state == "confirmed" and booking.reminded_at == at
    event = Event.objects.filter(verb="booking.remind", subject_id=str(booking.pk)).get()
    assert event.actor == system_user() and event.data["from"] == event.data["to"] == "confirmed"
    notice = InboxLine.objects.get(user=accounts["resident"], subject=subject_key(booking), verb="remind")
    assert notice.text.startswith("提醒：")
    assert bookings_sweep(now=at + datetime.timedelta(hours=1))["remind"] == 0  # once


def test_the_hours_come_from_the_setting(session, accounts, settings):
    settings.OFFERS_REMIND_HOURS = 2
    booking_request(actor=accounts["resident"], session=session)
    assert bookings_sweep(now=session.starts_at - datetime.timedelta(hours=3))["remind"] == 0
    assert bookings_sweep(now=session.starts_at - datetime.timedelta(hours=1))["remind"] == 1


def test_no_reminder_for_a_request_not_confirmed_or_a_cancelled_booking(offer, provider, session, accounts):
    offer_update(actor=provider, offer=offer, confirmation="provider")
    booking_request(actor=accounts["resident"], session=session)
    member = booking_request(actor=accounts["party_member"], session=session)
    Booking.objects.filter(pk=member.pk).update(state="confirmed")
    booking_cancel(actor=accounts["party_member"], booking=Booking.objects.get(pk=member.pk))
    assert bookings_sweep(now=session.starts_at - datetime.timedelta(hours=1))["remind"] == 0
    assert not Event.objects.filter(verb="booking.remind").exists()


def test_the_periodic_task_runs_the_sweep(session, accounts, monkeypatch):
    booking_request(actor=accounts["resident"], session=session)
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: session.starts_at - datetime.timedelta(hours=1))
    bookings_sweep_task.call_local()
    assert Event.objects.filter(verb="booking.remind").count() == 1
