"""Big roster files are checked and written in the background, so that no web request runs for a minute."""

from huey.contrib.djhuey import db_task

from rosters import services, storage
from rosters.engine import declared_rows
from rosters.models import ImportState, RosterImport

# Up to this many rows a file is checked and written within the request (a few seconds); bigger files go to
# a background task and the page follows its progress, so no request runs into a proxy's timeout.
INLINE_ROWS = 5000


def roster_import_check_start(roster_import: RosterImport) -> None:
    """Check a new upload now if it is small, in the background if it is big."""
    if declared_rows(storage.upload_path(roster_import)) > INLINE_ROWS:
        roster_check(roster_import.pk)
    else:
        services.roster_import_check(roster_import=roster_import)


def roster_import_write_start(roster_import: RosterImport) -> None:
    """Write a confirmed import now if it is small, in the background if it is big."""
    if roster_import.counts.get("total", 0) > INLINE_ROWS:
        roster_write(roster_import.pk)
    else:
        services.roster_import_write(roster_import=roster_import)


@db_task()
def roster_check(import_id) -> None:
    roster_import = RosterImport.objects.filter(pk=import_id, state=ImportState.CHECKING).first()
    if roster_import is not None:
        services.roster_import_check(roster_import=roster_import)


@db_task()
def roster_write(import_id) -> None:
    roster_import = RosterImport.objects.filter(pk=import_id, state=ImportState.IMPORTING).first()
    if roster_import is not None:
        services.roster_import_write(roster_import=roster_import)
