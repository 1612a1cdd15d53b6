"""Big roster files are checked and written in the background, so that no web request runs for a minute."""

from huey.contrib.djhuey import db_task

from rosters.imports import import_check, import_write
from rosters.models import ImportState, RosterImport


@db_task()
def roster_check(import_id) -> None:
    roster_import = RosterImport.objects.filter(pk=import_id, state=ImportState.CHECKING).first()
    if roster_import is not None:
        import_check(roster_import)


@db_task()
def roster_write(import_id) -> None:
    roster_import = RosterImport.objects.filter(pk=import_id, state=ImportState.IMPORTING).first()
    if roster_import is not None:
        import_write(roster_import)
