"""Pages of the happiness ledger: the staff dashboard and big screen, the public ledger, the records behind a
figure, and the downloads. Every page reads the same sections (ledger.sections); only the audience differs:
the public sees public deeds and masked member names, staff follow each figure to its records."""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import fonts
from core.params import FIRST_DAY, LAST_DAY, BadInput, int_param
from ledger import exports, periods, selectors
from ledger.charts import chart_specs
from ledger.labels import figure_label
from ledger.models import Tally
from ledger.rollups import SCOPE_KINDS
from ledger.sections import built_once, ledger_build, ledger_key
from needs import selectors as needs_selectors
from needs import workflow
from needs.models import Need
from people import scopes
from people.masking import mask_name
from places.maps import grid_map
from places.models import Place, PlaceKind
from places.posters import base_url
from places.selectors import within

PUBLIC_KINDS = SCOPE_KINDS  # every place the ledger is kept for


def default_period(place: Place) -> periods.Period:
    """The latest year in which the scope found needs; this year when it found none yet."""
    last = (Tally.objects.filter(code=place.code, level=len(place.code), total=1, grain="d", found__gt=0)
            .aggregate(last=Max("day"))["last"])
    return periods.year(last.year if last else timezone.localdate().year)


def _period(request, place) -> periods.Period:
    try:
        return periods.period_from_request(request.GET, lambda: default_period(place))
    except ValidationError as error:
        raise BadInput(" ".join(error.messages)) from None


def period_choices(period: periods.Period) -> dict:
    """Links of the period picker: the years around it (those a period may have), the quarters and months of its
    year."""
    y = period.start.year
    return {"years": [periods.year(v) for v in range(max(y - 2, FIRST_DAY.year), min(y + 2, LAST_DAY.year + 1))],
            "quarters": [periods.quarter(y, q) for q in range(1, 5)],
            "months": [periods.month(y, m) for m in range(1, 13)]}


def staff_places(user) -> list[Place]:
    """The places whose ledger the user may open as staff: their place scopes and what lies inside,
    down to grids."""
    if scopes.is_superuser(user):
        prefixes = list(Place.objects.filter(kind=PlaceKind.SUBDISTRICT).values_list("code", flat=True))
    else:
        prefixes = scopes.place_prefixes(user)
    if not prefixes:
        return []
    kinds = (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.GRID)
    return list(Place.objects.filter(within(prefixes), kind__in=kinds).order_by("code"))


def _staff_scope(request) -> tuple[Place, list[Place]]:
    places = staff_places(request.user)
    if not places:
        raise PermissionDenied(_("The ledger dashboard is for subdistrict, community and grid staff."))
    code = request.GET.get("place")
    place = next((p for p in places if p.code == code), None) if code else places[0]
    if place is None:  # a place outside the area is answered as one that does not exist
        raise Http404(_("This place is outside your area."))
    return place, places


def _context(request, place, period, *, public):
    """What the dashboard and the public page show of a ledger: its period picker and its sections, rendered.

    The sections are the same HTML for every reader of a ledger (staff pages differ from public ones by the records
    links, and `ledger_key` by `public`): rendered once per ledger and kept beside it, since rendering them was
    most of a page's time."""
    key = ledger_key(place, period, public=public)
    records_base = None if public else {"place": place.code, **period.query()}

    def render_sections():
        built = ledger_build(place, period, public=public, key=key)
        return render_to_string("ledger/_sections.html", {"sections": built, "charts": chart_specs(built),
                                                           "records_base": records_base})

    return {"place": place, "period": period, "choices": period_choices(period), "public": public,
            "records_base": records_base,
            "sections_html": mark_safe(built_once(f"{key}:html", render_sections))}  # our templates escaped it


def dashboard_map(place, period) -> dict | None:
    """The grids of the scope coloured by their open and overdue needs now (not in the period: what waits today);
    a click opens the grid's dashboard for the same period."""
    open_needs = Need.objects.filter(needs_selectors.placed_within([place.code]), state__in=workflow.OPEN)
    return grid_map(place, figures=needs_selectors.grid_counts(open_needs),
                    metrics=[("needs", _("Open needs now")), ("overdue", _("Overdue now"))],
                    url=lambda code: f"{reverse('ledger:dashboard')}?place={code}&period={period.token}",
                    selected=place.code)


@login_required
def dashboard(request):
    place, places = _staff_scope(request)
    period = _period(request, place)
    return render(request, "ledger/dashboard.html", {**_context(request, place, period, public=False),
                                                      "places": places, "grid_map": dashboard_map(place, period)})


@login_required
def screen(request):
    place, _places = _staff_scope(request)
    period = _period(request, place)
    # The big screen hangs in a hall that visitors walk through: it shows what the public ledger shows.
    built = ledger_build(place, period, public=True)
    return render(request, "ledger/screen.html", {"place": place, "period": period, "sections": built,
                                                   "charts": chart_specs(built), "refresh_seconds": 60,
                                                   "now": timezone.localtime()})


def public_place(code: str) -> Place:
    place = Place.objects.filter(code=code, kind__in=PUBLIC_KINDS).first()
    if place is None:
        raise Http404(_("No ledger for this place: choose a subdistrict, community or grid."))
    return place


def public(request, code):
    place = public_place(code)
    period = _period(request, place)
    context = _context(request, place, period, public=True)
    context["subplaces"] = place.children.filter(kind__in=PUBLIC_KINDS).order_by("code")
    context["ancestors"] = [p for p in place.ancestors() if p.kind in PUBLIC_KINDS]
    return render(request, "ledger/public.html", context)


def index(request):
    subdistricts = Place.objects.filter(kind=PlaceKind.SUBDISTRICT).prefetch_related("children").order_by("code")
    return render(request, "ledger/index.html", {"subdistricts": subdistricts,
                                                 "staff": bool(staff_places(request.user))})


RECORDS_PAGE = 50
# Filters that name a record by its id ("" for no category).
RECORD_FILTERS = ("category", "unit", "member", "site", "team")


def record_filters(params) -> dict[str, str]:
    """The filters of a figure's records (selectors.NEED_FILTERS and a month); an id no record can have, or a
    month that is not one, is refused (400)."""
    filters = {k: v for k, v in params.items() if k in (*selectors.NEED_FILTERS, *selectors.OTHER_FILTERS, "month")}
    for key in RECORD_FILTERS:
        if filters.get(key) and int_param(filters[key]) is None:
            raise BadInput(_("“%(value)s” is not the number of a record.") % {"value": filters[key][:20]})
    for key in ("community", "grid"):  # a place's code: digits
        if filters.get(key) and not (filters[key].isascii() and filters[key].isdigit() and len(filters[key]) <= 30):
            raise BadInput(_("“%(value)s” is not the code of a place.") % {"value": filters[key][:20]})
    if filters.get("kind") and not re.fullmatch(r"[a-z_]{1,30}", filters["kind"]):
        raise BadInput(_("“%(value)s” is not a kind.") % {"value": filters["kind"][:20]})
    if "month" in filters:
        try:
            month = periods.period_from_token(filters["month"])
        except ValidationError as error:
            raise BadInput(" ".join(error.messages)) from None
        if month.kind != "month":
            raise BadInput(_("Choose a month, e.g. 2021-07."))
    return filters


@login_required
def records(request):
    place, _places = _staff_scope(request)
    period = _period(request, place)
    figure = request.GET.get("figure", "found")
    filters = record_filters(request.GET)
    try:
        kind, qs = selectors.records(place, period, figure, filters)
        page = Paginator(qs, RECORDS_PAGE).get_page(request.GET.get("page"))
    except (KeyError, ValueError, ValidationError):
        raise Http404(_("No such figure.")) from None
    if kind == "person":
        for person in page:
            person.masked = mask_name(person.name)
    if kind == "booking":
        for booking in page:
            booking.masked = mask_name(booking.person.name)
    if kind == "volunteer":
        for volunteer in page:
            volunteer.masked = mask_name(volunteer.person.name)
    if kind == "service_hours":
        for entry in page:
            entry.masked = mask_name(entry.volunteer.person.name)
    if kind == "committee_member":
        for seat in page:
            seat.masked = mask_name(seat.person.name) if seat.person else ""
    return render(request, "ledger/records.html", {
        "place": place, "period": period, "figure": figure, "kind": kind, "page": page, "filters": filters,
        "label": figure_label(figure), "query": request.GET.copy()})


# --- Downloads: what the public page shows, in other forms ------------------------------------------

def _public_ledger(request, code):
    place = public_place(code)
    period = _period(request, place)
    return place, period, ledger_build(place, period, public=True)


def _filename(place, period, ext):
    return f"ledger-{place.code}-{period.token.replace('..', '_')}.{ext}"


def xlsx(request, code):
    place, period, built = _public_ledger(request, code)
    workbook = exports.xlsx_write(built, place, period, selectors.deeds(place, period, public=True),
                                  exports.checkpoint_note(base_url(request)))
    return FileResponse(workbook, as_attachment=True, filename=_filename(place, period, "xlsx"),
                        content_type=exports.XLSX_TYPE)


def figures_csv(request, code):
    place, period, built = _public_ledger(request, code)
    response = StreamingHttpResponse(exports.csv_figures(built), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(place, period, "csv")}"'
    return response


def deeds_csv(request, code):
    place = public_place(code)
    period = _period(request, place)
    response = StreamingHttpResponse(exports.csv_deeds(selectors.deeds(place, period, public=True)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(place, period, "deeds.csv")}"'
    return response


PDF_DEEDS = 30


def pdf(request, code):
    place, period, built = _public_ledger(request, code)
    font = fonts.cjk_font()
    if font is None:
        # Without a Chinese font every character would print as an empty box: say so instead.
        return render(request, "ledger/no_font.html", {"place": place, "period": period}, status=503)
    deeds = list(exports.deed_rows(selectors.deeds(place, period, public=True, limit=PDF_DEEDS), public=True))
    note = exports.checkpoint_note(base_url(request))
    response = HttpResponse(exports.pdf_render(built, place, period, font, deeds, note),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(place, period, "pdf")}"'
    return response
