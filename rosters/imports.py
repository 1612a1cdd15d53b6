"""The two steps of an import, run in the request for small files and by a huey task for big ones."""

from django.contrib.auth.models import User
from django.utils import timezone, translation

from rosters import storage
from rosters.engine import FileProblem, run
from rosters.models import ImportState, RosterImport
from rosters.specs import ROSTERS


def _run(roster_import: RosterImport, *, write: bool) -> dict:
    def progress(rows: int) -> None:
        RosterImport.objects.filter(pk=roster_import.pk).update(progress=rows)

    user = User.objects.get(pk=roster_import.user_id)   # fresh: its roles are read again for this pass
    with translation.override(roster_import.language), storage.Outcome(roster_import) as outcome:
        counts = run(ROSTERS[roster_import.roster], storage.upload_path(roster_import), actor=user, write=write,
                     outcome=outcome, subject=roster_import, sha256=roster_import.sha256, progress=progress)
    roster_import.counts, roster_import.pages, roster_import.progress = counts, outcome.pages, counts["total"]
    return counts


def import_check(roster_import: RosterImport) -> None:
    """Check every row and keep the outcome for the preview; a file that cannot be read is FAILED."""
    try:
        _run(roster_import, write=False)
    except FileProblem as problem:
        roster_import.state, roster_import.problem = ImportState.FAILED, str(problem)
        storage.discard(roster_import)
    else:
        roster_import.state = ImportState.PREVIEWED
    roster_import.save()


def import_write(roster_import: RosterImport) -> None:
    """Check again and write the valid rows (the caller moved the import to IMPORTING)."""
    try:
        _run(roster_import, write=True)
    except BaseException:
        # Written chunks stay written; confirming again is safe because a re-import changes nothing twice.
        RosterImport.objects.filter(pk=roster_import.pk).update(state=ImportState.PREVIEWED)
        raise
    roster_import.state, roster_import.imported_at = ImportState.IMPORTED, timezone.now()
    roster_import.save()
    storage.discard(roster_import, keep_errors=True)
