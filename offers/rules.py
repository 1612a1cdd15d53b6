"""The booking rules, read from the offer (they are data: offers.models.Offer's rule fields). Each refusal says
why, and what is possible instead: the earliest time one may book, the day the next booking becomes possible,
whom to ask to be recorded as eligible, until when one could have cancelled.

`booking_refusal` is asked by booking_request (offers.services) before anything is written, and by pages that
show whether a session may be booked; `cancel_refusal` by booking_act for a cancellation (offers.permissions).
"""

import datetime

from django.utils.translation import gettext as _

from core.dates import local_moment
from offers import workflow
from offers.models import Booking, BookingState, EligibilityGroup, Offer, Session
from places.models import Place, PlaceKind, containing_codes
from places.selectors import within

NO_SHOW_DAYS = 90  # the no-show limit counts the no-shows of this many days (Offer.no_show_limit's help text)


def _day(moment) -> str:
    return local_moment(moment).split(" ")[0]


def earliest_start(offer: Offer, at: datetime.datetime) -> datetime.datetime:
    """The earliest start the minimum notice allows: the first session of the offer that starts late enough
    (and is not cancelled), or, when none does, the earliest moment itself."""
    earliest = at + datetime.timedelta(hours=offer.min_notice_hours)
    first = (Session.objects.filter(offer=offer, is_cancelled=False, starts_at__gte=earliest)
             .order_by("starts_at").values_list("starts_at", flat=True).first())
    return first or earliest


def _communities(offer: Offer) -> str:
    return "、".join(p.name for p in offer.communities.order_by("code"))


def _community_of(person) -> Place | None:
    if person.home_id is None:
        return None
    return Place.objects.filter(code__in=containing_codes(person.home.code), kind=PlaceKind.COMMUNITY).first()


def _residence_refusal(offer: Offer, person) -> str | None:
    if not offer.residents_only:
        return None
    served = list(offer.communities.all())
    if person.home_id is not None and served and Place.objects.filter(within(served), pk=person.home_id).exists():
        return None
    if person.home_id is None:
        return _("This service is for residents of %(communities)s, and no home is on record for you: ask your "
                 "community to record where you live.") % {"communities": _communities(offer)}
    return _("This service is for residents of %(communities)s only; ask your own community about services "
             "there.") % {"communities": _communities(offer)}


def _eligibility_refusal(offer: Offer, person) -> str | None:
    groups = [g for g in offer.eligibility or [] if g in EligibilityGroup.values]
    if not groups or person.eligibilities.filter(group__in=groups).exists():
        return None
    labels = "、".join(str(EligibilityGroup(g).label) for g in groups)
    community = _community_of(person)
    whom = community.name if community else _communities(offer) or _("your community")
    return _("This service is for: %(groups)s. If you belong to one, ask %(whom)s to record it (bring e.g. the "
             "disability certificate).") % {"groups": labels, "whom": whom}


def _limit_refusal(offer: Offer, person, at) -> str | None:
    if offer.per_person_limit is None:
        return None
    since = at - datetime.timedelta(days=offer.per_person_days)
    made = sorted(Booking.objects.filter(person=person, session__offer=offer, state__in=workflow.COUNTS_FOR_LIMIT,
                                         created_at__gt=since).values_list("created_at", flat=True))
    if len(made) < offer.per_person_limit:
        return None
    # The next booking is possible once enough of these have left the period.
    possible = made[len(made) - offer.per_person_limit] + datetime.timedelta(days=offer.per_person_days)
    return _("At most %(limit)d bookings per person in %(days)d days: you can book again from %(date)s.") % {
        "limit": offer.per_person_limit, "days": offer.per_person_days, "date": local_moment(possible)}


def _no_show_refusal(offer: Offer, person, at) -> str | None:
    if offer.no_show_limit is None:
        return None
    since = at - datetime.timedelta(days=NO_SHOW_DAYS)
    missed = sorted(Booking.objects.filter(person=person, session__offer=offer, state=BookingState.NO_SHOW,
                                           session__starts_at__gt=since, session__starts_at__lte=at)
                    .values_list("session__starts_at", flat=True))
    if len(missed) < offer.no_show_limit:
        return None
    possible = missed[len(missed) - offer.no_show_limit] + datetime.timedelta(days=NO_SHOW_DAYS)
    return _("%(count)d bookings not attended in the last %(days)d days: you can book this service again from "
             "%(date)s.") % {"count": len(missed), "days": NO_SHOW_DAYS, "date": _day(possible)}


def _next_session(offer: Offer, at) -> str:
    start = earliest_start(offer, at)
    return _("The earliest you can book: %(start)s.") % {"start": local_moment(start)}


def booking_refusal(*, offer: Offer, session: Session, person, at: datetime.datetime, seats: int = 1) -> str | None:
    """Why this person may not book this session now (the reason, and what is possible instead), or None."""
    if not offer.bookable:
        return _("“%(offer)s” needs no booking: just come.") % {"offer": offer.name}
    if not offer.is_published:
        return _("“%(offer)s” is not published yet.") % {"offer": offer.name}
    if session.offer_id != offer.pk:
        return _("This session belongs to another offer.")
    if session.is_cancelled:
        return _("This session was cancelled. %(next)s") % {"next": _next_session(offer, at)}
    if at >= session.starts_at:
        return _("This session has already started. %(next)s") % {"next": _next_session(offer, at)}
    if seats > session.capacity:
        return _("This session has %(capacity)d places: book at most %(capacity)d.") % {"capacity": session.capacity}
    if person is None:
        return _("Only a person on record can book: ask your community to record you, or to book for you.")
    if session.starts_at < at + datetime.timedelta(hours=offer.min_notice_hours):
        return _("Book at least %(hours)d hours ahead; the earliest you can book: %(start)s.") % {
            "hours": offer.min_notice_hours, "start": local_moment(earliest_start(offer, at))}
    opens = session.starts_at - datetime.timedelta(days=offer.horizon_days)
    if at < opens:
        return _("Bookings open %(days)d days ahead: you can book this session from %(date)s.") % {
            "days": offer.horizon_days, "date": local_moment(opens)}
    for refusal in (_residence_refusal(offer, person), _eligibility_refusal(offer, person)):
        if refusal:
            return refusal
    if Booking.objects.filter(session=session, person=person, state__in=workflow.ACTIVE).exists():
        return _("You have already booked this session: see “My bookings”.")
    return _limit_refusal(offer, person, at) or _no_show_refusal(offer, person, at)


def cancel_refusal(booking: Booking, at: datetime.datetime) -> str | None:
    """Why the booker (or staff for them) may no longer cancel: the session started, or the offer's cancellation
    notice has passed (then it says until when one could cancel). A place on the waiting list may always go."""
    if booking.state in workflow.QUEUED:
        return None
    session, offer = booking.session, booking.session.offer
    if at >= session.starts_at:
        return _("This session has already started: it can no longer be cancelled.")
    deadline = session.starts_at - datetime.timedelta(hours=offer.cancel_notice_hours)
    if at > deadline:
        return _("Cancel at least %(hours)d hours ahead: the latest was %(deadline)s. Please tell the provider "
                 "directly if you cannot come.") % {"hours": offer.cancel_notice_hours,
                                                    "deadline": local_moment(deadline)}
    return None
