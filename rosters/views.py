"""Pages of the Excel rosters: list, template, export, upload → preview → confirm, error report."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rosters import selectors, services, storage, tasks
from rosters.engine import ERROR_COLUMN, Roster, write_xlsx
from rosters.models import ImportState, RosterImport
from rosters.specs import ROSTERS


def roster_for(user, slug: str) -> Roster:
    roster = ROSTERS.get(slug)
    if roster is None:
        raise Http404
    if not roster.allowed(user):
        raise PermissionDenied
    return roster


def import_for(request, pk) -> tuple[RosterImport, Roster]:
    roster_import = get_object_or_404(selectors.roster_imports_of(request.user), pk=pk)
    return roster_import, roster_for(request.user, roster_import.roster)


def xlsx_response(filename: str, fill) -> FileResponse:
    """Write the workbook to a temporary file (deleted when the response is closed) and stream it."""
    target = tempfile.TemporaryFile(dir=settings.VAR_DIR)  # noqa: SIM115 — closed by FileResponse
    fill(target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def index(request):
    rosters = selectors.rosters_for(request.user)
    if not rosters:
        raise PermissionDenied
    imports = selectors.roster_imports_of(request.user).filter(roster__in=[r.slug for r in rosters])[:10]
    return render(request, "rosters/index.html", {"rosters": rosters, "imports": imports, "titles": {
        r.slug: r.title for r in rosters}, "max_rows": settings.IMPORT_MAX_ROWS})


@login_required
def template(request, slug):
    roster = roster_for(request.user, slug)
    return xlsx_response(_("%(roster)s template.xlsx") % {"roster": roster.title},
                         lambda target: write_xlsx(target, roster, [], template=True))


@login_required
def export(request, slug):
    roster = roster_for(request.user, slug)
    return xlsx_response(_("%(roster)s %(date)s.xlsx") % {"roster": roster.title, "date": timezone.localdate()},
                         lambda target: services.roster_export(actor=request.user, roster=roster, target=target))


@login_required
@require_POST
def upload(request, slug):
    roster = roster_for(request.user, slug)
    try:
        roster_import = services.roster_import_create(actor=request.user, roster=roster,
                                                      uploaded=request.FILES.get("file"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("rosters:index")
    tasks.roster_import_check_start(roster_import)
    return redirect("rosters:preview", roster_import.pk)


@login_required
def preview(request, pk):
    """Before confirmation: every row, errors first. After: the result and the rows that were not imported."""
    roster_import, roster = import_for(request, pk)
    rows = selectors.roster_import_rows(roster_import)
    counts = roster_import.counts
    return render(request, "rosters/preview.html", {
        "roster": roster, "roster_import": roster_import, "counts": counts,
        "page": None if rows is None else Paginator(rows, storage.PAGE_ROWS).get_page(request.GET.get("page")),
        "done": roster_import.state == ImportState.IMPORTED,
        "working": roster_import.state in (ImportState.CHECKING, ImportState.IMPORTING),
        "to_write": counts.get("create", 0) + counts.get("update", 0),
        "headers": [c.header for c in roster.columns]})


@login_required
@require_POST
def confirm(request, pk):
    roster_import, _roster = import_for(request, pk)
    try:
        services.roster_import_confirm(actor=request.user, roster_import=roster_import)
    except ValidationError as e:
        if e.code == "expired":
            messages.error(request, " ".join(e.messages))
            return redirect("rosters:index")
        # Confirmed already (a double click) or cancelled: the page says which.
        return redirect("rosters:preview", pk)
    tasks.roster_import_write_start(roster_import)
    return redirect("rosters:preview", pk)


@login_required
@require_POST
def cancel(request, pk):
    roster_import, _roster = import_for(request, pk)
    try:
        services.roster_import_cancel(actor=request.user, roster_import=roster_import)
    except ValidationError:
        pass   # confirmed or cancelled already: the list says which
    else:
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("rosters:index")


@login_required
def error_report(request, pk):
    roster_import, roster = import_for(request, pk)
    name = roster_import.filename.rsplit(".", 1)[0]
    return xlsx_response(_("%(name)s errors.xlsx") % {"name": name}, lambda target: write_xlsx(
        target, roster, selectors.roster_import_error_rows(roster_import), extra=ERROR_COLUMN))
