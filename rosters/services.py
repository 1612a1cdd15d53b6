"""Every write of the rosters: an upload becomes a RosterImport that is checked, then confirmed and written
or cancelled; an export is logged.

An import moves only along rosters.workflow, each move one conditional UPDATE, so that a double click, or
a task that runs twice, cannot take a step twice. Creating, confirming and cancelling are the uploader's
actions. Checking and writing are steps taken on the uploader's behalf (within the request for a small
file, by rosters.tasks for a big one): they act as the uploader with the roles held at that moment, and
the engine refuses, row by row, what those roles do not allow.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.events import event_append, verbs_declare
from rosters import storage, workflow
from rosters.engine import FileProblem, Roster, export_rows, run, write_xlsx
from rosters.models import ImportState, RosterImport
from rosters.specs import ROSTERS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a 100,000-row roster is about 5 MB

verbs_declare({
    "roster_export": "a roster exported to Excel (how many rows; no names)",
    "roster_import": "a roster imported from Excel (rows created, updated, unchanged)",
})


def roster_export(*, actor, roster: Roster, target) -> int:
    """Write the roster's records in the actor's scope to `target` as .xlsx; returns the rows written.

    The event says who took which roster out, since it may hold personal data.
    """
    if not roster.allowed(actor):
        raise PermissionDenied
    rows = 0

    def counted():
        nonlocal rows
        for values in export_rows(roster, actor):
            rows += 1
            yield values

    write_xlsx(target, roster, counted())
    with transaction.atomic():
        event_append(actor=actor, verb="roster_export", subject=actor, data={"roster": roster.slug, "rows": rows})
    return rows


def roster_import_create(*, actor, roster: Roster, uploaded) -> RosterImport:
    """Keep an uploaded file for its check (CHECKING); rosters.tasks.roster_import_check_start starts it."""
    if not roster.allowed(actor):
        raise PermissionDenied
    if uploaded is None:
        raise ValidationError(_("Choose an .xlsx file to upload."), code="required")
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than %(mb)d MB. Split it into several files.")
                              % {"mb": MAX_UPLOAD_BYTES // 2**20}, code="too_big")
    storage.sweep()
    # The uploader's language: a background task writes the rows' messages in it.
    roster_import = RosterImport(user=actor, roster=roster.slug, filename=uploaded.name[:200],
                                 language=translation.get_language() or settings.LANGUAGE_CODE)
    roster_import.sha256 = storage.save_upload(uploaded, roster_import)
    roster_import.save()
    return roster_import


def roster_import_check(*, roster_import: RosterImport) -> None:
    """Check every row and keep the outcome for the preview (PREVIEWED); a file that cannot be read is
    FAILED, with the reason for the uploader."""
    try:
        counts, pages = _run(roster_import, actor=_uploader(roster_import), write=False)
    except FileProblem as problem:
        _transition(roster_import, "refuse", problem=str(problem))
        storage.discard(roster_import)
    else:
        _transition(roster_import, "preview", counts=counts, pages=pages, progress=counts["total"])


def roster_import_confirm(*, actor, roster_import: RosterImport) -> None:
    """Accept the preview (IMPORTING); rosters.tasks.roster_import_write_start then writes the valid rows.

    Of two confirmations at once (a double click) one is refused. A file swept before anyone confirmed it
    is refused too, and the import is cancelled.
    """
    _check_uploader(actor, roster_import)
    if not storage.upload_path(roster_import).exists():
        _transition(roster_import, "expire")
        raise ValidationError(_("This upload is more than a day old and was deleted; upload the file again."),
                              code="expired")
    _transition(roster_import, "confirm")


def roster_import_write(*, roster_import: RosterImport) -> None:
    """Check the confirmed file again and write its valid rows (IMPORTED); on a write that changed anything,
    one `roster_import` event says who imported which file (its SHA-256) and with what result."""
    actor = _uploader(roster_import)
    try:
        counts, pages = _run(roster_import, actor=actor, write=True)
    except BaseException:
        _transition(roster_import, "interrupt")
        raise
    if counts["create"] or counts["update"]:
        with transaction.atomic():
            event_append(actor=actor, verb="roster_import", subject=roster_import,
                         data={"roster": roster_import.roster, "counts": counts, "sha256": roster_import.sha256})
    _transition(roster_import, "finish", counts=counts, pages=pages, progress=counts["total"],
                imported_at=timezone.now())
    storage.discard(roster_import, keep_errors=True)


def roster_import_cancel(*, actor, roster_import: RosterImport) -> None:
    """Drop a checked file before anything of it was written (CANCELLED), and its outcome with it."""
    _check_uploader(actor, roster_import)
    _transition(roster_import, "cancel")
    storage.discard(roster_import)


def _check_uploader(actor, roster_import: RosterImport) -> None:
    """Only the user who uploaded a file may confirm or cancel it, and only while they may use its roster."""
    if actor.pk != roster_import.user_id or not ROSTERS[roster_import.roster].allowed(actor):
        raise PermissionDenied


def _transition(roster_import: RosterImport, action: str, **fields) -> None:
    """Take `action` (rosters.workflow) from the state the import is in, writing `fields` with the new state,
    as one UPDATE conditional on that state; ValidationError if the state does not allow it or moved first."""
    state = workflow.next_state(roster_import.state, action)
    if state is None or not RosterImport.objects.filter(pk=roster_import.pk, state=roster_import.state).update(
            state=state, **fields):
        roster_import.refresh_from_db(fields=["state"])
        raise ValidationError(_("This import cannot take that step: it is “%(state)s” now.")
                              % {"state": ImportState(roster_import.state).label}, code="state")
    roster_import.state = state
    for name, value in fields.items():
        setattr(roster_import, name, value)


def _uploader(roster_import: RosterImport) -> User:
    """Read fresh for each step, so that the step checks the rows with the roles the uploader holds now."""
    return User.objects.get(pk=roster_import.user_id)


def _run(roster_import: RosterImport, *, actor, write: bool) -> tuple[dict, dict]:
    """One pass of the engine over the import's file; its counts and the outcome's page offsets."""
    def progress(rows: int) -> None:
        RosterImport.objects.filter(pk=roster_import.pk).update(progress=rows)

    with translation.override(roster_import.language), storage.Outcome(roster_import) as outcome:
        counts = run(ROSTERS[roster_import.roster], storage.upload_path(roster_import), actor=actor, write=write,
                     outcome=outcome, progress=progress)
    return counts, outcome.pages
