"""Pages of the Excel rosters: list, template, export, upload → preview → confirm, error report."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.events import event_append
from rosters import storage, tasks
from rosters.engine import ERROR_COLUMN, Roster, declared_rows, export_rows, write_xlsx
from rosters.imports import import_check, import_write
from rosters.models import ImportState, RosterImport
from rosters.specs import ROSTERS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a 100,000-row roster is about 5 MB
# Up to this many rows a file is checked and written within the request (a few seconds); bigger files go to
# a background task and the page follows its progress, so no request runs into a proxy's timeout.
INLINE_ROWS = 5000


def roster_for(user, slug: str) -> Roster:
    roster = ROSTERS.get(slug)
    if roster is None:
        raise Http404
    if not roster.allowed(user):
        raise PermissionDenied
    return roster


def import_for(request, pk) -> tuple[RosterImport, Roster]:
    """Only the user who uploaded a file may see or confirm it."""
    roster_import = get_object_or_404(RosterImport, pk=pk, user=request.user)
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
    rosters = [r for r in ROSTERS.values() if r.allowed(request.user)]
    if not rosters:
        raise PermissionDenied
    imports = RosterImport.objects.filter(user=request.user, roster__in=[r.slug for r in rosters])[:10]
    return render(request, "rosters/index.html", {"rosters": rosters, "imports": imports, "titles": {
        r.slug: r.title for r in rosters}, "max_rows": settings.IMPORT_MAX_ROWS})


@login_required
def template(request, slug):
    roster = roster_for(request.user, slug)
    return xlsx_response(_("%(roster)s template.xlsx") % {"roster": roster.title},
                         lambda target: write_xlsx(target, roster, [], template=True))


@login_required
def export(request, slug):
    """The user's own scope only; the event says who took which roster out (it may hold personal data)."""
    roster = roster_for(request.user, slug)
    rows = 0

    def counted():
        nonlocal rows
        for values in export_rows(roster, request.user):
            rows += 1
            yield values

    response = xlsx_response(_("%(roster)s %(date)s.xlsx") % {"roster": roster.title, "date": timezone.localdate()},
                             lambda target: write_xlsx(target, roster, counted()))
    with transaction.atomic():
        event_append(actor=request.user, verb="roster_export", subject=request.user,
                     data={"roster": roster.slug, "rows": rows})
    return response


@login_required
@require_POST
def upload(request, slug):
    roster = roster_for(request.user, slug)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose an .xlsx file to upload."))
        return redirect("rosters:index")
    if uploaded.size > MAX_UPLOAD_BYTES:
        messages.error(request, _("The file is larger than %(mb)d MB. Split it into several files.")
                       % {"mb": MAX_UPLOAD_BYTES // 2**20})
        return redirect("rosters:index")
    storage.sweep()
    roster_import = RosterImport(user=request.user, roster=roster.slug, filename=uploaded.name[:200],
                                 language=get_language() or settings.LANGUAGE_CODE)
    roster_import.sha256 = storage.save_upload(uploaded, roster_import)
    roster_import.save()
    if declared_rows(storage.upload_path(roster_import)) > INLINE_ROWS:
        tasks.roster_check(roster_import.pk)
    else:
        import_check(roster_import)
    return redirect("rosters:preview", roster_import.pk)


@login_required
def preview(request, pk):
    """Before confirmation: every row, errors first. After: the result and the rows that were not imported."""
    roster_import, roster = import_for(request, pk)
    done = roster_import.state == ImportState.IMPORTED
    working = roster_import.state in (ImportState.CHECKING, ImportState.IMPORTING)
    page = None
    if roster_import.state in (ImportState.PREVIEWED, ImportState.IMPORTED):
        rows = storage.OutcomeRows(roster_import, kinds=("errors",) if done else storage.KINDS)
        page = Paginator(rows, storage.PAGE_ROWS).get_page(request.GET.get("page"))
    counts = roster_import.counts
    return render(request, "rosters/preview.html", {
        "roster": roster, "roster_import": roster_import, "page": page, "counts": counts, "done": done,
        "working": working, "to_write": counts.get("create", 0) + counts.get("update", 0),
        "headers": [c.header for c in roster.columns]})


@login_required
@require_POST
def confirm(request, pk):
    roster_import, _roster = import_for(request, pk)
    if not storage.upload_path(roster_import).exists():
        RosterImport.objects.filter(pk=pk, state=ImportState.PREVIEWED).update(state=ImportState.CANCELLED)
        messages.error(request, _("This upload is more than a day old and was deleted; upload the file again."))
        return redirect("rosters:index")
    # Only one confirmation runs, even after a double click.
    if RosterImport.objects.filter(pk=pk, state=ImportState.PREVIEWED).update(state=ImportState.IMPORTING):
        roster_import.state = ImportState.IMPORTING
        if roster_import.counts.get("total", 0) > INLINE_ROWS:
            tasks.roster_write(roster_import.pk)
        else:
            import_write(roster_import)
    return redirect("rosters:preview", pk)


@login_required
@require_POST
def cancel(request, pk):
    roster_import, _roster = import_for(request, pk)
    if RosterImport.objects.filter(pk=pk, state=ImportState.PREVIEWED).update(state=ImportState.CANCELLED):
        storage.discard(roster_import)
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("rosters:index")


@login_required
def error_report(request, pk):
    """The rows with errors, as they were uploaded, plus a column saying what is wrong with each."""
    roster_import, roster = import_for(request, pk)

    def rows():
        for row in storage.error_rows(roster_import):
            problems = "；".join(f"{header}：{message}" if header else message for header, message in row["e"])
            yield [*row["v"], _("Row %(n)d: %(problems)s") % {"n": row["n"], "problems": problems}]

    name = roster_import.filename.rsplit(".", 1)[0]
    return xlsx_response(_("%(name)s errors.xlsx") % {"name": name},
                         lambda target: write_xlsx(target, roster, rows(), extra=ERROR_COLUMN))
