"""The one engine behind every roster.

A roster (rosters.specs) declares its columns — Chinese header, required or not, how a cell is parsed —
its natural key, who may use it, how a chunk of rows is checked against the database and written, and
what it exports. This module does the rest the same way for all of them: read an .xlsx as a stream
(openpyxl read_only), parse cells, find duplicate keys, hand rows to the roster in chunks so that its
lookups are batched, record each row's outcome for the preview, and write .xlsx files (xlsxwriter
constant_memory) for templates, exports and error reports.
"""

import datetime
import decimal
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.cells import cell_safe, cell_unquoted
from people import scopes

CHUNK_ROWS = 1000  # rows checked and written together: one set of lookups, one transaction
ERROR_COLUMN = "错误说明"
ACTIONS = ("create", "update", "unchanged")


class CellError(Exception):
    """A cell that cannot be read as its column's type; the message says why, for the user."""


class FileProblem(Exception):
    """The file as a whole cannot be imported (not an .xlsx, wrong columns, too many rows)."""


# --- Cell parsers: text in, value out, CellError with a message a community worker understands ------


def text(value: str) -> str:
    return value


def digits(value: str) -> str:
    if not value.isdigit():
        raise CellError(_("Use digits only (got “%(value)s”).") % {"value": value})
    return value


def integer(value: str) -> int:
    if not value.isdigit():
        raise CellError(_("Enter a whole number of 0 or more (got “%(value)s”).") % {"value": value})
    return int(value)


def decimal_number(value: str) -> decimal.Decimal:
    try:
        number = decimal.Decimal(value)
    except decimal.InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise CellError(_("Enter a number of 0 or more, such as 0.45 (got “%(value)s”).") % {"value": value})
    return number


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def date(value: str) -> datetime.date:
    match = _DATE_RE.match(value)
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError(_("Enter a date such as 2021-06-01 (got “%(value)s”).") % {"value": value})


def validator(check: Callable[[str], None]) -> Callable[[str], str]:
    """A parser from a Django validator, e.g. people.models.validate_phone."""
    def parse(value: str) -> str:
        try:
            check(value)
        except ValidationError as e:
            raise CellError(" ".join(e.messages)) from None
        return value
    return parse


class Choice:
    """A cell holding one of a few Chinese labels, stored as the model's value."""

    def __init__(self, labels: dict[str, str]):
        self.labels = labels  # label → value; several labels may mean one value, the first is exported
        self.values: dict[str, str] = {}
        for label, value in labels.items():
            self.values.setdefault(value, label)

    def __call__(self, value: str) -> str:
        if value in self.labels:
            return self.labels[value]
        if value in self.values:  # the stored value itself (e.g. "grid") is accepted too
            return value
        raise CellError(_("Use one of: %(choices)s (got “%(value)s”).") % {
            "choices": "、".join(self.labels), "value": value})

    def label(self, value) -> str:
        return self.values.get(value, value or "")


# --- Rosters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str                       # fixed Chinese header: the file format does not follow the UI language
    field: str
    required: bool = False
    parse: Callable[[str], Any] = text
    note: Any = ""                    # shown in the template's notes sheet
    example: str = ""
    width: int = 16
    as_text: bool = False             # codes and phones: keep Excel from turning them into numbers

    def show(self, value) -> str:
        """The cell text for an exported value; parse(show(v)) == v, so exports re-import unchanged."""
        if value is None:
            return ""
        if isinstance(self.parse, Choice):
            return self.parse.label(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)


@dataclass
class Row:
    number: int                       # the row number in Excel, so the user can find it
    values: list[str]                 # cell texts in the roster's column order
    data: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (column header, message)
    action: str = ""                  # create / update / unchanged, once checked
    plan: dict = field(default_factory=dict, repr=False)         # what the roster will write
    headers: dict = field(default_factory=dict, repr=False)

    def fail(self, column_field: str | None, message) -> None:
        self.errors.append((self.headers.get(column_field, ""), str(message)))

    def fail_validation(self, error: ValidationError, fields: dict[str, str]) -> None:
        """Report a model's ValidationError; `fields` maps model fields to the roster's columns."""
        if hasattr(error, "error_dict"):
            already = {header for header, _message in self.errors}
            for name, errors in error.message_dict.items():
                if self.headers.get(fields.get(name, name)) in already:
                    continue   # e.g. "cannot be blank" after "this column is required"
                for message in errors:
                    self.fail(fields.get(name, name), message)
        else:
            for message in error.messages:
                self.fail(None, message)


@dataclass
class Context:
    """What one pass over a file shares between chunks: the actor, lookup caches, keys seen so far."""

    actor: Any
    write: bool
    cache: dict = field(default_factory=dict)


class Roster:
    slug: str
    title: Any
    description: Any
    columns: tuple[Column, ...]
    key: str                          # the natural key: re-importing a row with the same key updates it
    roles: frozenset[str]             # the roles that may import and export this roster

    @property
    def headers(self) -> dict[str, str]:
        return {c.field: c.header for c in self.columns}

    def allowed(self, user) -> bool:
        return scopes.is_superuser(user) or bool(scopes.roles(user) & self.roles)

    def example(self) -> list[str]:
        return [c.example for c in self.columns]

    def check(self, ctx: Context, rows: list[Row]) -> None:
        """Set each row's action, or add its errors. Look things up once per chunk, not once per row."""
        raise NotImplementedError

    def write(self, ctx: Context, rows: list[Row]) -> None:
        """Write checked rows (no errors) inside the caller's transaction."""
        raise NotImplementedError

    def export(self, user) -> Iterator[dict]:
        """The records the user may see, as {field: value}."""
        raise NotImplementedError


def lookup(ctx: Context, name: str, values: Iterable, load: Callable[[set], dict]) -> dict:
    """A per-file cache of records by key (code, name): `load(missing_keys)` is one query per chunk."""
    cache = ctx.cache.setdefault(name, {})
    missing = {v for v in values if v is not None and v not in cache}
    if missing:
        found = load(missing)
        for value in missing:
            cache[value] = found.get(value)
    return cache


def write_each(rows: list[Row], write_row: Callable[[Row], None]) -> None:
    """Write row by row through the services; a row the service refuses (the data changed since the
    check) gets the service's message instead of stopping the others."""
    for row in rows:
        try:
            with transaction.atomic():
                write_row(row)
        except ValidationError as e:
            row.fail_validation(e, {})
        except PermissionDenied as e:
            row.fail(None, e)


# --- Reading -------------------------------------------------------------------------------------


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))   # a phone or code typed as a number comes back as 13812345678.0
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return cell_unquoted(str(value).strip())  # the ' an export put before "=", "+" … (core.cells)


def not_xlsx() -> FileProblem:
    return FileProblem(_("This file is not an Excel workbook (.xlsx). Download the template from this page, "
                         "fill it in Excel or WPS and save it as .xlsx (an old .xls, a CSV, a PDF or a file "
                         "that was only renamed to .xlsx cannot be read)."))


def too_many_rows() -> FileProblem:
    return FileProblem(_("The file has more than %(n)d data rows. Split it into several files of at most "
                         "%(n)d rows each and import them one after another.") % {"n": settings.IMPORT_MAX_ROWS})


def header_map(roster: Roster, header: tuple) -> list[int | None]:
    """For each of the roster's columns, its position in the file; FileProblem listing every mistake."""
    found = [cell_text(h) for h in header or ()]
    problems = []
    known = {c.header for c in roster.columns} | {ERROR_COLUMN}
    for name in found:
        if name and name not in known:
            problems.append(_("unknown column “%(name)s”") % {"name": name})
        if name and found.count(name) > 1 and _("column “%(name)s” appears twice") % {"name": name} not in problems:
            problems.append(_("column “%(name)s” appears twice") % {"name": name})
    for column in roster.columns:
        if column.required and column.header not in found:
            problems.append(_("required column “%(name)s” is missing") % {"name": column.header})
    if problems:
        raise FileProblem(_("Row 1 (the header) does not match the %(roster)s template: %(problems)s. "
                            "The columns must be: %(expected)s.") % {
            "roster": roster.title, "problems": "；".join(problems),
            "expected": "、".join(c.header for c in roster.columns)})
    return [found.index(c.header) if c.header in found else None for c in roster.columns]


def read_rows(roster: Roster, path) -> Iterator[Row]:
    """Stream the first sheet's rows as parsed Rows; blank rows and the template's example row are skipped."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise not_xlsx() from None
    try:
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) - 1 > settings.IMPORT_MAX_ROWS:
            raise too_many_rows()   # the sheet's declared size: refuse before reading anything
        stream = sheet.iter_rows(values_only=True)
        positions = header_map(roster, next(stream, ()))
        example = roster.example()
        headers = roster.headers
        count = 0
        for number, cells in enumerate(stream, start=2):
            values = [cell_text(cells[i]) if i is not None and i < len(cells) else "" for i in positions]
            if not any(values) or values == example:
                continue
            count += 1
            if count > settings.IMPORT_MAX_ROWS:
                raise too_many_rows()
            yield parse_row(roster, number, values, headers)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError):
        raise not_xlsx() from None   # a damaged sheet inside a valid zip
    finally:
        workbook.close()


def declared_rows(path) -> int:
    """The data rows the first sheet says it has (0 if unreadable): decides where the file is checked."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:   # reported properly, with its message, by the check itself
        return 0
    try:
        return max(0, (workbook.worksheets[0].max_row or 0) - 1)
    finally:
        workbook.close()


def parse_row(roster: Roster, number: int, values: list[str], headers: dict) -> Row:
    row = Row(number=number, values=values, headers=headers)
    for column, value in zip(roster.columns, values, strict=True):
        if not value:
            if column.required:
                row.fail(column.field, _("This column is required."))
            continue
        try:
            row.data[column.field] = column.parse(value)
        except CellError as e:
            row.fail(column.field, e)
    return row


def chunks(rows: Iterable[Row], size: int = CHUNK_ROWS) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- One pass: check, and write when confirmed -----------------------------------------------------


def run(roster: Roster, path, *, actor, write: bool, outcome,
        progress: Callable[[int], None] = lambda rows: None) -> dict:
    """Check every row of the file; when `write`, write each chunk's valid rows in one transaction.

    `outcome` receives every row (rosters.storage.Outcome). Confirmation runs the same checks again on
    the same file, so what is written is what is valid now, not what was valid at preview time.
    Returns the counts; the import's event is rosters.services' (roster_import_write).
    """
    ctx = Context(actor=actor, write=write)
    counts = dict.fromkeys((*ACTIONS, "error", "total"), 0)
    first_row_of_key: dict = {}
    key_header = roster.headers[roster.key]
    for chunk in chunks(read_rows(roster, path)):
        for row in chunk:
            key = row.data.get(roster.key)
            if key is not None:
                if key in first_row_of_key:
                    row.errors.append((key_header, _("Same %(column)s as row %(row)d; each %(column)s may "
                                                     "appear only once in a file.") % {
                        "column": key_header, "row": first_row_of_key[key]}))
                else:
                    first_row_of_key[key] = row.number
        roster.check(ctx, chunk)
        valid = [row for row in chunk if not row.errors and row.action != "unchanged"]
        if write and valid:
            with transaction.atomic():
                roster.write(ctx, valid)
        for row in chunk:
            counts["total"] += 1
            counts["error" if row.errors else row.action] += 1
            outcome.add(row)
        progress(counts["total"])
    return counts


def export_rows(roster: Roster, user) -> Iterator[list[str]]:
    for record in roster.export(user):
        yield [column.show(record.get(column.field)) for column in roster.columns]


# --- Writing .xlsx ---------------------------------------------------------------------------------


def write_xlsx(target, roster: Roster, rows: Iterable[list[str]], *, extra: str | None = None,
               template: bool = False) -> None:
    """Header row (required columns in red), then `rows`; `extra` adds a last column (the error report's).

    A template gets the example row, drop-down lists for choice columns and a notes sheet.
    """
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False,
                                        "tmpdir": str(settings.VAR_DIR)})
    sheet = book.add_worksheet(str(roster.title)[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1, "font_color": "#C8161D"})
    as_text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for i, column in enumerate(roster.columns):
        sheet.set_column(i, i, column.width, as_text if column.as_text else None)
    if extra:
        sheet.set_column(len(roster.columns), len(roster.columns), 60)
    sheet.freeze_panes(1, 0)
    for i, column in enumerate(roster.columns):
        sheet.write_string(0, i, column.header, required if column.required else bold)
    if extra:
        sheet.write_string(0, len(roster.columns), extra, required)
    if template:
        rows = [roster.example()]
        for i, column in enumerate(roster.columns):
            if isinstance(column.parse, Choice):
                sheet.data_validation(1, i, settings.IMPORT_MAX_ROWS, i, {
                    "validate": "list", "source": list(column.parse.labels)})
    for r, values in enumerate(rows, start=1):
        for i, value in enumerate(values):
            if value != "":
                sheet.write_string(r, i, cell_safe(value))  # no formula from what users typed (core.cells)
    if template:
        notes = book.add_worksheet("填写说明")
        notes.set_column(0, 0, 16)
        notes.set_column(1, 1, 8)
        notes.set_column(2, 2, 70)
        notes.set_column(3, 3, 24)
        for i, title in enumerate((_("Column"), _("Required"), _("How to fill it in"), _("Example"))):
            notes.write_string(0, i, title, bold)
        for r, column in enumerate(roster.columns, start=1):
            notes.write_string(r, 0, column.header)
            notes.write_string(r, 1, _("yes") if column.required else _("no"))
            notes.write_string(r, 2, str(column.note), wrap)
            notes.write_string(r, 3, column.example)
        general = [
            _("Fill in the first sheet from row 2 on; keep the header row as it is. The example row is "
              "skipped on import, so you may leave it or delete it."),
            _("Each row is identified by its %(key)s: importing a row whose %(key)s already exists updates "
              "that record; importing the same file again changes nothing.") % {
                "key": roster.headers[roster.key]},
            _("An empty optional cell leaves the existing value unchanged."),
            _("At most %(n)d rows per file.") % {"n": settings.IMPORT_MAX_ROWS},
        ]
        for r, line in enumerate(general, start=len(roster.columns) + 2):
            notes.write_string(r, 0, line)
    book.close()

