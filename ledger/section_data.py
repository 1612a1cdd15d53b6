"""What a section of the ledger hands to the pages and the downloads: its figures and tables.

A module of its own, below the builders (ledger.builders), the registry (ledger.sections) and the downloads
(ledger.exports): the downloads name a built section and the deeds section reads the downloads' rows, so
these types can live in none of them without an import circle.
"""

from dataclasses import dataclass, field


@dataclass
class Figure:
    key: str
    label: str
    value: int | float | None
    unit: str = ""  # "%" for rates (value is a fraction 0..1), or a unit such as km²
    records: str | None = None  # the `figure` of the records view that lists what is counted
    href: str = ""  # a public page showing what is counted (the offers list, a station), for readers without it


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, label); the first column is the row's label
    rows: list[dict]
    chart: str = ""  # "bar", "pie", "line" or "" (no chart)
    records: str | None = None  # each row's records: `figure` plus the row's "filter" dict (a row's public page,
    # if it has one: its "href")
    total: int | None = None  # rows in all (deeds: the table holds only the latest ones)
    chart_columns: tuple[str, ...] = ()  # the columns the chart draws (default: every column of whole numbers)


@dataclass
class SectionData:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def figure(self, key):
        return next(f for f in self.figures if f.key == key)


@dataclass
class BuiltSection:
    """A section as a page shows it: its key, its title in the reader's language, its template, its data."""

    key: str
    title: str
    template: str
    data: SectionData
