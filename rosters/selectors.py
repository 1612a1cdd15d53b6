"""The reads the rosters' pages share: which rosters a user may use, their imports, a checked file's rows."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rosters import storage
from rosters.engine import Roster
from rosters.models import ImportState, RosterImport
from rosters.specs import ROSTERS


def rosters_for(user) -> list[Roster]:
    """The rosters the user may import and export, in the order they are declared."""
    return [roster for roster in ROSTERS.values() if roster.allowed(user)]


def roster_imports_of(user) -> QuerySet[RosterImport]:
    """A user's own imports, newest first: nobody else may see or confirm them."""
    return RosterImport.objects.filter(user=user)


def roster_import_rows(roster_import: RosterImport) -> storage.OutcomeRows | None:
    """The checked rows a page lists: before confirmation every row, errors first; after it, the rows that
    were not imported; None while the file is being checked or written, or if it could not be."""
    if roster_import.state == ImportState.PREVIEWED:
        return storage.OutcomeRows(roster_import)
    if roster_import.state == ImportState.IMPORTED:
        return storage.OutcomeRows(roster_import, kinds=("errors",))
    return None


def roster_import_error_rows(roster_import: RosterImport) -> Iterator[list[str]]:
    """The rows with errors as they were uploaded, each with a last cell saying what is wrong with it."""
    for row in storage.error_rows(roster_import):
        problems = "；".join(f"{header}：{message}" if header else message for header, message in row["e"])
        yield [*row["v"], _("Row %(n)d: %(problems)s") % {"n": row["n"], "problems": problems}]
