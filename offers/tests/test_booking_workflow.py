"""Every transition of a booking, who may take it, and what it records: the state, an event `booking.<action>`
with from / to and keys (never a name or a phone), a notice to the booker or provider (never to the actor)."""

import datetime
import inspect
import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from core.events import events_verify
from core.models import Event, InboxLine
from core.notify import subject_key
from needs.permissions import system_user
from offers import actions, services, workflow
from offers.models import Booking
from offers.permissions import actions_for, relations_to
from offers.services import (
    BookingConflict,
    booking_act,
    booking_cancel,
    booking_confirm,
    booking_decline,
    booking_fulfil,
    booking_mark_no_show,
    booking_request,
    booking_take_place,
    offer_update,
    session_create,
)
from people.services import organisation_create, person_account_link, person_create, role_grant

pytestmark = pytest.mark.django_db


def events(booking) -> list[str]:
    return list(Event.objects.filter(subject_type="offers.booking", subject_id=str(booking.pk)).order_by("id")
                .values_list("verb", flat=True))


def last_event(booking) -> Event:
    return Event.objects.filter(subject_type="offers.booking", subject_id=str(booking.pk)).order_by("-id").first()


@pytest.fixture
def by_provider(offer, provider):
    """The offer confirmed by its provider (not automatically)."""
    return offer_update(actor=provider, offer=offer, confirmation="provider")


@pytest.fixture
def requested(by_provider, session, accounts):
    return booking_request(actor=accounts["resident"], session=session)


def unchanged(booking, fn, error=PermissionDenied):
    """fn() is refused with `error`, and the booking and the event log are as they were."""
    state, count = Booking.objects.get(pk=booking.pk).state, Event.objects.count()
    with pytest.raises(error):
        fn()
    assert Booking.objects.get(pk=booking.pk).state == state and Event.objects.count() == count


def test_a_request_waits_for_the_provider_who_confirms(requested, provider, accounts, resident, session):
    assert requested.state == "requested" and requested.booked_by == accounts["resident"]
    event = last_event(requested)
    assert event.verb == "booking.request" and event.actor == accounts["resident"]
    assert event.data == {"from": None, "to": "requested", "session": session.pk, "person": resident.pk, "seats": 1}
    assert InboxLine.objects.filter(user=provider, subject=subject_key(requested), verb="request").exists()
    assert "confirm" in actions_for(provider, requested) and "confirm" not in actions_for(accounts["resident"],
                                                                                          requested)
    unchanged(requested, lambda: booking_confirm(actor=accounts["resident"], booking=requested))
    booking = booking_confirm(actor=provider, booking=requested)
    assert booking.state == "confirmed" and events(booking) == ["booking.request", "booking.confirm"]
    notice = InboxLine.objects.get(user=accounts["resident"], subject=subject_key(booking), verb="confirm")
    assert "已确认" in notice.text and resident.name not in notice.text
    assert not InboxLine.objects.filter(user=provider, verb="confirm").exists()  # never the actor


def test_automatic_confirmation_is_the_systems(offer, session, accounts):
    booking = booking_request(actor=accounts["resident"], session=session)
    assert booking.state == "confirmed"
    assert events(booking) == ["booking.request", "booking.confirm"]
    assert last_event(booking).actor == system_user()


def test_the_provider_declines_with_a_reason(requested, provider, accounts):
    unchanged(requested, lambda: booking_decline(actor=provider, booking=requested, reason=" "), ValidationError)
    booking = booking_decline(actor=provider, booking=requested, reason="当天车辆已满")
    assert booking.state == "declined" and booking.reason == "当天车辆已满"
    assert last_event(booking).data["reason"] == "当天车辆已满"
    assert "当天车辆已满" in InboxLine.objects.get(user=accounts["resident"], verb="decline").text


def test_fulfilled_from_the_day_of_the_session_and_no_show_after_its_start(offer, provider, session, accounts):
    booking = booking_request(actor=accounts["resident"], session=session)
    unchanged(booking, lambda: booking_fulfil(actor=provider, booking=booking), ValidationError)
    unchanged(booking, lambda: booking_fulfil(actor=accounts["resident"], booking=booking,
                                              at=session.starts_at + datetime.timedelta(hours=2)))
    started = session.starts_at + datetime.timedelta(minutes=30)
    unchanged(booking, lambda: booking_mark_no_show(actor=provider, booking=booking,
                                                    at=session.starts_at - datetime.timedelta(minutes=30)),
              ValidationError)
    assert booking_fulfil(actor=provider, booking=booking, at=started).state == "fulfilled"
    other = booking_request(actor=User.objects.get(username="member1"), session=session)
    assert booking_mark_no_show(actor=provider, booking=other, at=started).state == "no_show"
    assert InboxLine.objects.filter(subject=subject_key(other), verb="mark_no_show").exists()


def test_community_staff_of_the_area_handle_bookings_and_book_for_a_resident(by_provider, session, accounts,
                                                                              resident, provider):
    staff = accounts["community_staff"]
    booking = booking_request(actor=staff, session=session, person=resident, note="1号楼2单元门口上车")
    assert booking.booked_by == staff and booking.person == resident and booking.state == "requested"
    assert relations_to(staff, booking) == {"staff"}
    assert last_event(booking).actor == staff
    assert InboxLine.objects.filter(user=provider, subject=subject_key(booking)).exists()
    assert booking_confirm(actor=staff, booking=booking).state == "confirmed"
    assert InboxLine.objects.filter(user=accounts["resident"], subject=subject_key(booking), verb="confirm").exists()


def test_staff_of_another_community_may_not_book_for_a_resident_here(session, accounts, resident):
    count = Booking.objects.count()
    with pytest.raises(PermissionDenied):
        booking_request(actor=accounts["other_community_staff"], session=session, person=resident)
    with pytest.raises(PermissionDenied):  # a resident may not book for a neighbour
        booking_request(actor=User.objects.get(username="member1"), session=session, person=resident)
    assert Booking.objects.count() == count


def test_another_units_admin_may_do_nothing(requested, root):
    org = organisation_create(actor=root, kind="co_building_unit", name="别的单位")
    other = User.objects.create_user("other_admin", password="pass-12345")
    role_grant(actor=root, user=other, role="unit_admin", organisation=org)
    assert relations_to(other, requested) == set() and actions_for(other, requested) == []
    unchanged(requested, lambda: booking_confirm(actor=other, booking=requested))


def test_system_actions_are_not_for_people(requested, provider):
    for action, fields in (("offer_place", {"until": requested.session.starts_at}), ("lapse", {}), ("remind", {})):
        unchanged(requested, lambda a=action, f=fields: booking_act(actor=provider, booking=requested, action=a, **f),
                  (PermissionDenied, BookingConflict))


def test_the_waiting_list_is_offered_a_freed_place_and_takes_it(offer, provider, accounts, now, root, tree):
    one = session_create(actor=provider, offer=offer, starts_at=now + datetime.timedelta(days=3),
                         ends_at=now + datetime.timedelta(days=3, hours=1), capacity=1)
    first = booking_request(actor=accounts["resident"], session=one)
    second = booking_request(actor=User.objects.get(username="member1"), session=one)
    assert (first.state, second.state) == ("confirmed", "waiting")
    assert not InboxLine.objects.filter(subject=subject_key(second), verb="join_waitlist").exists()  # they did it
    booking_cancel(actor=accounts["resident"], booking=first, reason="改天再去")
    second.refresh_from_db()
    assert second.state == "offered" and second.offered_until is not None
    assert events(second) == ["booking.join_waitlist", "booking.offer_place"]
    assert "为您保留至" in InboxLine.objects.get(subject=subject_key(second), verb="offer_place").text
    second = booking_take_place(actor=User.objects.get(username="member1"), booking=second)
    assert second.state == "confirmed" and second.offered_until is None
    assert events(second)[-2:] == ["booking.take_place", "booking.confirm"]


@pytest.mark.parametrize("state", ["requested", "confirmed", "waiting", "offered"])
def test_cancel_from_every_active_state(state, offer, provider, accounts, now):
    if state == "requested":
        offer_update(actor=provider, offer=offer, confirmation="provider")
    session = session_create(actor=provider, offer=offer, starts_at=now + datetime.timedelta(days=3),
                             ends_at=now + datetime.timedelta(days=3, hours=1), capacity=1)
    member = User.objects.get(username="member1")
    holder = booking_request(actor=accounts["resident"], session=session)
    booking = holder
    if state in ("waiting", "offered"):
        booking = booking_request(actor=member, session=session)
    if state == "offered":
        booking_cancel(actor=accounts["resident"], booking=holder)
    booking.refresh_from_db()
    assert booking.state == state
    actor = member if state in ("waiting", "offered") else accounts["resident"]
    booking = booking_cancel(actor=actor, booking=booking, reason="有事")
    assert booking.state == "cancelled" and last_event(booking).data["from"] == state
    with pytest.raises(BookingConflict) as conflict:
        booking_cancel(actor=actor, booking=booking)
    assert "已取消" in conflict.value.message


def test_a_cancelled_session_cancels_its_bookings(session, provider, accounts):
    booking = booking_request(actor=accounts["resident"], session=session)
    services.session_cancel(actor=provider, session=session, reason="车辆检修")
    booking.refresh_from_db()
    assert booking.state == "cancelled" and booking.reason == "车辆检修"
    assert Event.objects.filter(verb="session_cancel", subject_id=str(session.pk)).count() == 1
    assert InboxLine.objects.filter(user=accounts["resident"], subject=subject_key(booking), verb="cancel").exists()
    with pytest.raises(PermissionDenied):
        services.session_cancel(actor=accounts["resident"], session=session, reason="x")


def test_events_carry_keys_never_names_or_phones(session, accounts, resident, root, tree):
    staff = accounts["community_staff"]
    booking = booking_request(actor=staff, session=session, person=resident, note="门口接")
    booking_cancel(actor=staff, booking=booking, reason="家属接送")
    for event in Event.objects.filter(subject_type="offers.booking"):
        text = json.dumps(event.data, ensure_ascii=False)
        assert resident.name not in text and resident.phone not in text
    notices = list(InboxLine.objects.values_list("text", flat=True))
    assert notices and not any(resident.name in t or resident.phone in t for t in notices)
    assert "新预约：“爱心送考免费接送”" in notices[-1] or any(t.startswith("新预约") for t in notices)
    assert events_verify()[1] is None


def test_unknown_actions_and_fields_are_refused_by_name(requested, provider):
    unchanged(requested, lambda: booking_act(actor=provider, booking=requested, action="teleport"), ValidationError)
    with pytest.raises(ValidationError) as refused:
        booking_act(actor=provider, booking=requested, action="confirm", state="fulfilled")
    assert list(refused.value.message_dict) == ["state"]


def test_every_transition_has_an_action_record_and_an_applier():
    assert {a for _s, a in workflow.TRANSITIONS} == set(workflow.ACTIONS) == set(actions.APPLY)
    for (state, action), after in workflow.TRANSITIONS.items():
        assert workflow.next_state(state, action) == after


SYSTEM_FLAGS = {"until"}  # offer_place's hold: the service's, never a request's


@pytest.mark.parametrize("action", [a for a in workflow.ACTIONS if a not in ("request", "join_waitlist")])
def test_each_action_takes_the_same_fields_in_its_face_its_schema_and_booking_act(action):
    record = workflow.ACTIONS[action]
    schema_fields = set(record.fields.model_fields) if record.fields else set()
    assert actions.FIELDS[action] - SYSTEM_FLAGS == schema_fields
    face = getattr(services, f"booking_{action}", None)
    if face is not None:
        assert {n for n, p in inspect.signature(face).parameters.items() if p.kind is p.KEYWORD_ONLY} - {
            "actor", "booking", "at"} == schema_fields


def test_a_member_offering_a_deed_is_its_provider(root, tree, accounts, now):
    member = User.objects.get(username="member1")
    person = member.person
    offer = services.offer_create(actor=member, kind="consultation", name="法律咨询", person=person,
                                  communities=[tree["tqjy"]], is_published=True)
    session = session_create(actor=member, offer=offer, starts_at=now + datetime.timedelta(days=2),
                             ends_at=now + datetime.timedelta(days=2, hours=1))
    booking = booking_request(actor=accounts["resident"], session=session)
    assert "provider" in relations_to(member, booking)
    helper = User.objects.create_user("helper", password="pass-12345")
    person_account_link(actor=root, person=person_create(actor=root, name="路人", phone="13900000999"), user=helper)
    with pytest.raises(PermissionDenied):
        services.offer_create(actor=helper, kind="consultation", name="冒名", person=person,
                              communities=[tree["tqjy"]])


def test_the_provider_and_staff_see_the_full_contact_each_view_logged(session, accounts, provider, resident):
    from offers.services import booking_contact_reveal
    from people.models import PersonalDataAccess

    booking = booking_request(actor=accounts["resident"], session=session)
    assert booking_contact_reveal(actor=provider, booking=booking) == (resident.name, resident.phone)
    access = PersonalDataAccess.objects.get(viewer=provider, person=resident)
    assert access.fields == "name,phone" and f"#{booking.pk}" in access.reason
    assert last_event(booking).verb == "booking_contact_reveal" and resident.name not in str(last_event(booking).data)
    assert booking_contact_reveal(actor=accounts["community_staff"], booking=booking)[1] == resident.phone
    for nobody in (accounts["resident"], accounts["other_community_staff"], accounts["party_member"]):
        with pytest.raises(PermissionDenied):
            booking_contact_reveal(actor=nobody, booking=booking)
    assert PersonalDataAccess.objects.filter(person=resident).count() == 2


def test_whom_staff_may_book_for_is_whom_booking_request_accepts(offer, session, accounts, provider, resident):
    from offers.permissions import may_book_for_others
    from offers.selectors import persons_bookable_by

    staff, elsewhere = accounts["community_staff"], accounts["other_community_staff"]
    assert may_book_for_others(staff, offer) and resident in persons_bookable_by(staff, offer)
    assert may_book_for_others(elsewhere, offer) and resident not in persons_bookable_by(elsewhere, offer)
    assert not may_book_for_others(provider, offer) and not persons_bookable_by(provider, offer).exists()
    assert not may_book_for_others(accounts["resident"], offer)
    assert resident in persons_bookable_by(accounts["grid_worker"], offer)
    booking = booking_request(actor=accounts["grid_worker"], session=session, person=resident)
    assert booking.booked_by == accounts["grid_worker"]
