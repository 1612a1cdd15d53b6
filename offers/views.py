"""Pages of the offers list (实事清单): the public list and an offer's page, booking (for oneself, or by staff for a
resident who phones), my bookings, the provider's today and tomorrow, and managing offers and their sessions.

Thin: parse, call offers.services or a selector, render. The booking rules are enforced by the services
(offers.rules); the pages show the rules in words and each refusal's reason as the service words it. Public
pages show no personal data: a member providing an offer is shown masked, descriptions through public_text."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.dates import local_moment
from core.params import BadInput, in_calendar, int_param
from offers import permissions, rules, selectors, services, workflow
from offers.forms import (
    BookingForm,
    OfferFilterForm,
    OfferForm,
    ReasonForm,
    RepeatForm,
    RequiredReasonForm,
    SessionForm,
)
from offers.models import Booking, BookingState, Confirmation, EligibilityGroup, Offer, Session
from people import scopes
from people.masking import mask_name, mask_phone
from people.models import Organisation
from people.public import public_text
from places.views import picker_results

PAGE_SIZE = 20
WEEK = datetime.timedelta(days=7)
S = BookingState


def _page(request, rows, size=PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _posted(request):
    """The form's data on a POST (an empty one too: it is refused with the fields it lacks), else None."""
    return request.POST if request.method == "POST" else None


# --- How an offer is shown ---------------------------------------------------------------------------

def provider_label(offer: Offer) -> str:
    """The unit by its name; a member masked (党员 张*): a member's name is personal data."""
    if offer.organisation_id:
        return offer.organisation.name
    return _("Party member %(name)s") % {"name": mask_name(offer.person.name)} if offer.person_id else ""


def eligibility_labels(offer: Offer) -> list[str]:
    return [str(EligibilityGroup(g).label) for g in offer.eligibility or [] if g in EligibilityGroup.values]


def rules_in_words(offer: Offer) -> list[str]:
    """The booking rules as a resident reads them: 需提前24小时预约；可预约未来30天；…"""
    if not offer.bookable:
        return [_("No booking needed: come along at the time of a session.")]
    words = []
    if offer.min_notice_hours:
        words.append(ngettext("Book at least %(n)d hour ahead", "Book at least %(n)d hours ahead",
                              offer.min_notice_hours) % {"n": offer.min_notice_hours})
    words.append(ngettext("bookable up to %(n)d day ahead", "bookable up to %(n)d days ahead",
                          offer.horizon_days) % {"n": offer.horizon_days})
    if offer.cancel_notice_hours:
        words.append(ngettext("cancel at least %(n)d hour before the start", "cancel at least %(n)d hours before "
                              "the start", offer.cancel_notice_hours) % {"n": offer.cancel_notice_hours})
    else:
        words.append(_("cancel any time before the start"))
    if offer.per_person_limit:
        words.append(ngettext("at most %(limit)d booking per person in %(days)d days",
                              "at most %(limit)d bookings per person in %(days)d days", offer.per_person_limit)
                     % {"limit": offer.per_person_limit, "days": offer.per_person_days})
    words.append(_("confirmed by the provider") if offer.confirmation == Confirmation.PROVIDER
                 else _("confirmed at once"))
    if offer.no_show_limit:
        words.append(ngettext("after %(n)d no-show in 90 days no more bookings",
                              "after %(n)d no-shows in 90 days no more bookings", offer.no_show_limit)
                     % {"n": offer.no_show_limit})
    return words


def who_may_book(offer: Offer) -> str:
    parts = []
    groups = eligibility_labels(offer)
    if groups:
        parts.append(_("For: %(groups)s") % {"groups": "、".join(groups)})
    if offer.residents_only:
        parts.append(_("residents of the communities served"))
    return _("；").join(parts) if parts else _("Anyone may book.")


def public_description(offer: Offer, user) -> str:
    """As typed for those who manage the offer; for everyone else without phones, rooms and the member's name."""
    if not offer.description or permissions.may_manage_offer(user, offer):
        return offer.description
    return public_text(offer.description, [offer.person.name] if offer.person_id else [])


def _cards(offers, now) -> list[dict]:
    offers = list(offers)
    following = selectors.next_sessions(offers, at=now)  # the next session one may book, for the page at once
    return [{"offer": o, "provider": provider_label(o), "communities": list(o.communities.all()),
             "eligibility": eligibility_labels(o), "next": following.get(o.pk)} for o in offers]


def _visible_offer(request, pk) -> Offer:
    """An offer the user may read: published, or one they manage (else as if it did not exist)."""
    pk = int_param(pk)
    offer = Offer.objects.select_related("organisation", "person", "place").filter(pk=pk).first() if pk else None
    if offer is None or not (offer.is_published or permissions.may_manage_offer(request.user, offer)):
        raise Http404(_("No such offer, or it is not published."))
    return offer


def _managed_offer(request, pk) -> Offer:
    offer = _visible_offer(request, pk)
    if not permissions.may_manage_offer(request.user, offer):
        raise PermissionDenied(_("Only the provider and the community staff of the communities served manage "
                                 "this offer."))
    return offer


# --- The public list and an offer's page ---------------------------------------------------------------

def offer_list(request):
    """实事清单: what units and members offer, by community and kind, searched by name or pinyin."""
    form = OfferFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    offers = selectors.offers_public(**filters).select_related("organisation", "person").prefetch_related(
        "communities")
    page = _page(request, offers, 12)
    return render(request, "offers/list.html", {"form": form, "page": page,
                                                "cards": _cards(list(page), timezone.now())})


def _week_start(request) -> datetime.date:
    today = timezone.localdate()
    text = request.GET.get("from", "")
    if not text:
        return today
    try:
        day = datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise BadInput(_("The day is written YYYY-MM-DD, e.g. %(day)s.") % {"day": today.isoformat()}) from None
    if not in_calendar(day) or not in_calendar(day + WEEK):
        raise BadInput(_("No such day to show."))
    return max(day, today)


def offer_detail(request, pk):
    """An offer: what it is, who provides it, its rules in words, and a week of its sessions with free places."""
    offer = _visible_offer(request, pk)
    now = timezone.now()
    first = _week_start(request)
    tz = timezone.get_current_timezone()
    start = max(now, datetime.datetime.combine(first, datetime.time.min, tzinfo=tz))
    end = datetime.datetime.combine(first + WEEK, datetime.time.min, tzinfo=tz)
    earliest = rules.earliest_start(offer, now) if offer.bookable else now
    latest = now + datetime.timedelta(days=offer.horizon_days)
    days: dict[datetime.date, list] = {}
    for session in selectors.sessions_with_places(offer, at=now).filter(starts_at__gte=start, starts_at__lt=end):
        if session.starts_at < earliest:
            why = _("too soon: book at least %(n)s hours ahead") % {"n": offer.min_notice_hours}
        elif session.starts_at > latest:
            why = _("bookable from %(when)s") % {
                "when": local_moment(session.starts_at - datetime.timedelta(days=offer.horizon_days))}
        else:
            why = ""
        days.setdefault(timezone.localtime(session.starts_at).date(), []).append({"session": session, "why": why})
    later = selectors.sessions_with_places(offer, at=now).filter(starts_at__gte=end).exists()
    return render(request, "offers/detail.html", {
        "offer": offer, "provider": provider_label(offer), "rules": rules_in_words(offer),
        "who": who_may_book(offer), "description": public_description(offer, request.user),
        "communities": offer.communities.order_by("code"), "days": sorted(days.items()),
        "first": first, "last": first + WEEK - datetime.timedelta(days=1),
        "later": (first + WEEK).isoformat() if later else "",
        "earlier": (first - WEEK).isoformat() if first > timezone.localdate() else "",
        "earliest": local_moment(earliest) if offer.bookable and offer.min_notice_hours else "",
        "may_manage": permissions.may_manage_offer(request.user, offer)})


# --- Booking ---------------------------------------------------------------------------------------

def _bookable_session(request, pk) -> Session:
    pk = int_param(pk)
    session = Session.objects.select_related("offer__organisation", "offer__person").filter(pk=pk).first() \
        if pk else None
    if session is None:
        raise Http404(_("No such session."))
    _visible_offer(request, session.offer_id)
    return session


def _error_words(error: ValidationError) -> list[str]:
    return list(error.messages)


@login_required
def book(request, pk):
    """Book a session: for oneself (places, a note such as the pick-up address), or — staff — for a resident who
    phoned. A refusal shows the rule's words above the form, keeping what was typed."""
    session = _bookable_session(request, pk)
    user, offer = request.user, session.offer
    me = scopes.person_of(user)
    for_others = permissions.may_book_for_others(user, offer)
    if me is None and not for_others:
        return render(request, "offers/book.html", {"session": session, "offer": offer, "form": None,
                                                    "provider": provider_label(offer)}, status=403)
    form = BookingForm(_posted(request), user=user, session=session, for_others=for_others,
                       for_self=me is not None)
    warning, status = "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_request(actor=user, session=session, person=data.get("person") or None,
                                               seats=data["seats"], note=data["note"])
        except PermissionDenied as denied:
            form.add_error(None, str(denied) or _("You may not book for this person."))
            status = 403
        except ValidationError as error:
            form.add_error(None, _error_words(error))
            status = 422
        else:
            return redirect("offers:booking", pk=booking.pk)
    elif request.method == "POST":
        status = 422
    elif me is not None and offer.bookable:
        warning = rules.booking_refusal(offer=offer, session=session, person=me, at=timezone.now()) or ""
    shown = selectors.sessions_with_places(offer, at=timezone.now()).filter(pk=session.pk).first()
    return render(request, "offers/book.html", {
        "session": session, "shown": shown, "offer": offer, "form": form, "provider": provider_label(offer),
        "rules": rules_in_words(offer), "who": who_may_book(offer), "warning": warning,
        "for_others": for_others}, status=status)


def book_pick(request, pk):
    """The person picker of the booking form (htmx): exactly whom the form would accept from this user."""
    session = _bookable_session(request, pk)
    if not permissions.may_book_for_others(request.user, session.offer):
        raise Http404
    form = BookingForm(user=request.user, session=session, for_others=True)
    return picker_results(request, form.fields["person"].picker)


# What an action is called on a button (else its record's label); the reason some take. Which actions a viewer is
# offered is offers.permissions.actions_for: exactly what booking_act would accept now.
ACTION_LABELS = {"take_place": _("Take the place"), "cancel": _("Cancel the booking"), "fulfil": _("Done (fulfilled)"),
                 "mark_no_show": _("Did not come")}
FACES = {"take_place": "booking_take_place", "cancel": "booking_cancel", "confirm": "booking_confirm",
         "decline": "booking_decline", "fulfil": "booking_fulfil", "mark_no_show": "booking_mark_no_show"}
REASON_ACTIONS = {"cancel": ReasonForm, "decline": RequiredReasonForm}
OUTCOME = {
    S.CONFIRMED: _("Booked: your place is confirmed."),
    S.REQUESTED: _("Requested: the provider will confirm it, and you will be told."),
    S.WAITING: _("No place is free: you are on the waiting list. If a place frees up it is offered to you, "
                 "and you will be told."),
    S.OFFERED: _("A place has freed up for you: take it before the time below, or it goes to the next person."),
}


def _label(action: str) -> str:
    return str(ACTION_LABELS.get(action) or workflow.ACTIONS[action].label)


def _actions(user, booking) -> list[dict]:
    """The buttons for this viewer, with a reason box where the action takes one."""
    found = []
    for action in permissions.actions_for(user, booking):
        if action not in FACES:
            continue
        form = REASON_ACTIONS.get(action)
        found.append({"name": action, "label": _label(action),
                      "form": form(auto_id=f"b{booking.pk}_{action}_%s") if form else None})
    return found


def _visible_booking(request, pk) -> tuple[Booking, set]:
    pk = int_param(pk)
    booking = Booking.objects.select_related("session__offer__organisation", "session__offer__person",
                                             "person__home__parent__parent").filter(pk=pk).first() if pk else None
    relations = permissions.relations_to(request.user, booking) if booking is not None else set()
    if not relations:
        raise Http404(_("No such booking."))
    return booking, relations


def _contact(booking, relations) -> dict:
    """Whom the provider picks up: masked, with the button that shows the full phone (the view logged by
    offers.services.booking_contact_reveal). The person themself reads their own name."""
    person = booking.person
    if "booker" in relations:
        return {"name": person.name, "phone": "", "revealable": False}
    return {"name": mask_name(person.name), "phone": mask_phone(person.phone) if person.phone else "",
            "revealable": bool(relations & {"provider", "staff"}) and bool(person.phone)}


@login_required
def booking_detail(request, pk, *, status=200, revealed=None):
    """One booking: what became of the request (confirmed, requested, on the waiting list), its session, and what
    the viewer may do with it."""
    booking, relations = _visible_booking(request, pk)
    offer = booking.session.offer
    return render(request, "offers/booking.html", {
        "booking": booking, "offer": offer, "provider": provider_label(offer), "relations": relations,
        "outcome": OUTCOME.get(booking.state, ""), "actions": _actions(request.user, booking),
        "contact": _contact(booking, relations), "revealed": revealed,
        "cancel_rule": rules.cancel_refusal(booking, timezone.now()) if booking.state in workflow.ACTIVE else None,
        "rules": rules_in_words(offer)}, status=status)


BACK = {"mine": "offers:mine", "provider": "offers:provider"}


@login_required
@require_POST
def booking_act(request, pk, action):
    """One action on a booking (cancel, take the place; the provider's confirm, decline, fulfilled, did not come).
    A refusal is shown in words on the page the button was on, nothing changed."""
    booking, relations = _visible_booking(request, pk)
    if action not in FACES:
        raise Http404
    back = request.POST.get("next", "")
    fields, status = {}, 200
    form_class = REASON_ACTIONS.get(action)
    if form_class is not None:
        form = form_class(request.POST, auto_id=f"b{booking.pk}_{action}_%s")
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return _back(request, back, booking, status=422)
        fields = {k: v for k, v in form.cleaned_data.items() if v}
    try:
        getattr(services, FACES[action])(actor=request.user, booking=booking, **fields)
    except PermissionDenied as denied:
        messages.error(request, str(denied) or _("You may not do this with this booking."))
        status = 403
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        status = 422
    except services.BookingConflict as conflict:
        messages.error(request, conflict.message)
        status = 409
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": _label(action)})
        if back == "provider":  # back to the day and page the button was on
            return redirect(f"{reverse(BACK[back])}?{_provider_query(request)}")
        return redirect(BACK[back] if back in BACK else reverse("offers:booking", args=[booking.pk]))
    return _back(request, back, booking, status=status)


def _back(request, back, booking, *, status):
    """The page the button was on, with the refusal's words (messages), answering `status`."""
    if back == "mine":
        return mine(request, status=status)
    if back == "provider":
        return provider(request, status=status)
    return booking_detail(request, booking.pk, status=status)


@login_required
@require_POST
def booking_contact(request, pk):
    """The provider's (or staff's) "show the number": the full name and phone to pick the person up, logged."""
    booking, _relations = _visible_booking(request, pk)
    try:
        name, phone = services.booking_contact_reveal(actor=request.user, booking=booking)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return _back(request, request.POST.get("next", ""), booking, status=403)
    if request.POST.get("next") == "provider":
        return provider(request, revealed={booking.pk: {"name": name, "phone": phone}})
    return booking_detail(request, booking.pk, revealed={"name": name, "phone": phone})


# --- My bookings -----------------------------------------------------------------------------------

@login_required
def mine(request, *, status=200):
    """我的预约: what is still to come (cancel it, take a place offered) and what is past."""
    me = scopes.person_of(request.user)
    if me is None:
        return render(request, "offers/mine.html", {"me": None}, status=status)
    now = timezone.now()
    bookings = selectors.bookings_of(me).select_related("session__offer__organisation", "session__offer__person")
    upcoming = list(bookings.filter(state__in=workflow.ACTIVE, session__ends_at__gte=now)
                    .order_by("session__starts_at", "id")[:100])
    past = _page(request, bookings.exclude(pk__in=[b.pk for b in upcoming]).order_by("-session__starts_at", "-id"))
    rows = [{"booking": b, "provider": provider_label(b.session.offer), "outcome": OUTCOME.get(b.state, ""),
             "actions": _actions(request.user, b),
             "cancel_rule": rules.cancel_refusal(b, now)} for b in upcoming]
    return render(request, "offers/mine.html", {"me": me, "upcoming": rows, "past": past}, status=status)


# --- The provider's today and tomorrow ---------------------------------------------------------------

def _is_provider(user) -> bool:
    return scopes.is_staff_user(user) or selectors.offers_managed_by(user).exists()


def _area_bookings(user, day) -> list:
    """The bookings of the day that staff handle in their area (the person's home, or a community served), in the
    states the provider's page lists."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, zone)
    return list(selectors.bookings_in_scope(user).filter(
        state__in=(*workflow.HOLDS_PLACE, S.FULFILLED, S.NO_SHOW), session__starts_at__gte=start,
        session__starts_at__lt=start + datetime.timedelta(days=1)).order_by("session__starts_at", "id")[:300])


PROVIDER_PAGE = 40


def _provider_day(request) -> str:
    """today or tomorrow: from the address, or from a form posted on the page (its buttons send the day)."""
    which = request.GET.get("day") or request.POST.get("day") or "today"
    return which if which in ("today", "tomorrow") else "today"


def _provider_query(request) -> str:
    query = {"day": _provider_day(request)}
    page = int_param(request.POST.get("page"), maximum=10**6)
    if page and page > 1:
        query["page"] = page
    return urlencode(query)


@login_required
def provider(request, *, status=200, revealed=None):
    """今日/明日预约: the bookings of the provider's offers on one day, on a phone: whom to pick up where, and the
    buttons done / did not come (confirm / decline for a requested booking of a provider-confirmed offer)."""
    user = request.user
    if not _is_provider(user):
        raise PermissionDenied(_("This page is for the providers of offers and for community staff."))
    today = timezone.localdate()
    which = _provider_day(request)
    day = today + datetime.timedelta(days=1 if which == "tomorrow" else 0)
    bookings = list(selectors.bookings_for_provider(user, first_day=day, last_day=day)[:300])
    if scopes.is_superuser(user) or scopes.place_prefixes(user):  # staff: also their area's bookings of the day
        seen = {x.pk for x in bookings}
        bookings += [b for b in _area_bookings(user, day) if b.pk not in seen]
        bookings.sort(key=lambda b: (b.session.starts_at, b.pk))
    # A page at a time: a phone shows a day of a busy provider without rendering hundreds of cards.
    page = Paginator(bookings, PROVIDER_PAGE).get_page(request.GET.get("page") or request.POST.get("page"))
    revealed = revealed or {}
    cards = []
    for booking in page:
        relations = permissions.relations_to(user, booking)
        cards.append({"booking": booking, "offer": booking.session.offer, "contact": _contact(booking, relations),
                      "revealed": revealed.get(booking.pk), "actions": _actions(user, booking)})
    return render(request, "offers/provider.html", {
        "cards": cards, "which": which, "day": day, "page": page,
        "tabs": [("today", _("Bookings today")), ("tomorrow", _("Bookings tomorrow"))]}, status=status)


# --- Managing offers and their sessions ----------------------------------------------------------------

def _manages_offers(user) -> bool:
    return (scopes.is_superuser(user) or bool(scopes.unit_ids(user)) or bool(scopes.place_prefixes(user))
            or selectors.offers_managed_by(user).exists() or scopes.person_of(user) is not None and
            "party_member" in scopes.roles(user))


@login_required
def manage(request):
    """A unit's (a member's, the area's) offers: each with its sessions to come, and a new offer."""
    if not _manages_offers(request.user):
        raise PermissionDenied(_("Offers are managed by the units and members who provide them, and by community "
                                 "staff."))
    offers = selectors.offers_managed_by(request.user).select_related("organisation", "person").prefetch_related(
        "communities")
    page = _page(request, offers)
    now = timezone.now()
    following, upcoming = selectors.next_sessions(page, at=now), selectors.upcoming_counts(page, at=now)
    rows = [{"offer": o, "provider": provider_label(o), "next": following.get(o.pk),
             "upcoming": upcoming.get(o.pk, 0)} for o in page]
    return render(request, "offers/manage.html", {"page": page, "rows": rows})


def _save_offer(request, form, offer=None):
    fields = form.changes()
    fields["communities"] = list(fields.get("communities") or [])
    try:
        if offer is None:
            organisation = fields.pop("organisation", None)
            if organisation is None and scopes.unit_ids(request.user):  # staff who also keep a unit: their own
                organisation = Organisation.objects.get(pk=scopes.unit_ids(request.user)[0])
            person = None if organisation is not None else scopes.person_of(request.user)
            return services.offer_create(actor=request.user, organisation=organisation, person=person, **fields)
        fields.pop("organisation", None)
        return services.offer_update(actor=request.user, offer=offer, **fields)
    except ValidationError as error:
        form.add_service_errors(error)
    except PermissionDenied as denied:
        form.add_error(None, str(denied) or _("You may not offer this for these communities."))
    return None


@login_required
def offer_create(request):
    if not _manages_offers(request.user):
        raise PermissionDenied(_("Offers are managed by the units and members who provide them, and by community "
                                 "staff."))
    form = OfferForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        offer = _save_offer(request, form)
        if offer is not None:
            messages.success(request, _("Offer created: now add its sessions."))
            return redirect("offers:sessions", pk=offer.pk)
    return render(request, "offers/offer_form.html", {"form": form, "offer": None},
                  status=422 if form.errors else 200)


@login_required
def offer_update(request, pk):
    offer = _managed_offer(request, pk)
    form = OfferForm(_posted(request), instance=offer, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _save_offer(request, form, offer) is not None:
            messages.success(request, _("Offer saved."))
            return redirect("offers:detail", pk=offer.pk)
    return render(request, "offers/offer_form.html", {"form": form, "offer": offer},
                  status=422 if form.errors else 200)


def provider_pick(request):
    """The unit picker of the offer form (htmx), for staff: exactly what the form accepts."""
    if not request.user.is_authenticated or "organisation" not in (form := OfferForm(user=request.user)).fields \
            or not hasattr(form.fields["organisation"], "picker"):
        raise Http404
    return picker_results(request, form.fields["organisation"].picker)


@login_required
def sessions(request, pk, *, session_form=None, repeat_form=None, status=200):
    """An offer's sessions to come (with the places taken), one more session, weekly slots, cancelling one."""
    offer = _managed_offer(request, pk)
    now = timezone.now()
    page = _page(request, selectors.sessions_with_places(offer, at=now), 25)
    return render(request, "offers/sessions.html", {
        "offer": offer, "page": page, "provider": provider_label(offer),
        "session_form": session_form or SessionForm(auto_id="one_%s", initial={"day": timezone.localdate()}),
        "repeat_form": repeat_form or RepeatForm(auto_id="rep_%s", initial={
            "first_day": timezone.localdate(), "last_day": timezone.localdate() + datetime.timedelta(days=27)}),
        "cancel_form": RequiredReasonForm(auto_id=None)}, status=status)


@login_required
@require_POST
def session_create(request, pk):
    offer = _managed_offer(request, pk)
    form = SessionForm(request.POST, auto_id="one_%s")
    if form.is_valid():
        starts_at, ends_at = form.times(timezone.get_current_timezone())
        try:
            session = services.session_create(actor=request.user, offer=offer, starts_at=starts_at, ends_at=ends_at,
                                              capacity=form.cleaned_data["capacity"], note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, _error_words(error))
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            return sessions(request, pk, session_form=form, status=403)
        else:
            messages.success(request, _("Session added: %(when)s.") % {"when": local_moment(session.starts_at)})
            return redirect("offers:sessions", pk=offer.pk)
    return sessions(request, pk, session_form=form, status=422)


@login_required
@require_POST
def sessions_repeat(request, pk):
    offer = _managed_offer(request, pk)
    form = RepeatForm(request.POST, auto_id="rep_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.sessions_repeat(actor=request.user, offer=offer, weekdays=sorted(set(data["weekdays"])),
                                            start=data["start"], end=data["end"], first_day=data["first_day"],
                                            last_day=data["last_day"], capacity=data["capacity"], note=data["note"])
        except ValidationError as error:
            form.add_error(None, _error_words(error))
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            return sessions(request, pk, repeat_form=form, status=403)
        else:
            messages.success(request, ngettext("%(n)d session added.", "%(n)d sessions added.", len(made))
                             % {"n": len(made)})
            return redirect("offers:sessions", pk=offer.pk)
    return sessions(request, pk, repeat_form=form, status=422)


@login_required
@require_POST
def session_cancel(request, pk):
    pk = int_param(pk)
    session = Session.objects.select_related("offer").filter(pk=pk).first() if pk else None
    if session is None:
        raise Http404(_("No such session."))
    offer = _managed_offer(request, session.offer_id)
    form = RequiredReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the session is cancelled: the people booked are told."))
        return sessions(request, offer.pk, status=422)
    try:
        services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return sessions(request, offer.pk, status=422)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return sessions(request, offer.pk, status=403)
    messages.success(request, _("Session cancelled: %(when)s; the people booked are told.") % {
        "when": local_moment(session.starts_at)})
    return redirect("offers:sessions", pk=offer.pk)
