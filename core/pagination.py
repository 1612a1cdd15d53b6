"""Keyset pages for long lists ordered newest first: "id < the last id seen", so page 100 costs what page 1
costs and no total is counted (a COUNT over a city's needs is the slow part of a numbered pager)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from core.params import int_param


@dataclass
class KeysetPage:
    object_list: list
    next_before: int | None  # pass as ?before= for the next page; None on the last page
    is_first: bool

    def __iter__(self):
        return iter(self.object_list)


def keyset_page(qs: QuerySet, before, size: int) -> KeysetPage:
    """`qs` ordered by -id; `before` an id from the request (anything else means the first page)."""
    before = int_param(before)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, rows[-1].id if more else None, before is None)
