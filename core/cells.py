"""Spreadsheet cells that carry no formula (OWASP "CSV injection"), for every CSV and Excel file we write.

A need's title `=HYPERLINK("http://…","点击查看")` in a downloaded CSV is a live formula once the file is opened
in Excel, WPS or LibreOffice; so is a text starting with `+`, `-` or `@` (Excel reads them as formulas too),
or with a tab or carriage return. Such a text gets a leading `'`, which makes a spreadsheet read it as text.
Numbers the system writes stay numbers (a negative count is not user text). Imports read the `'` off again
(`cell_unquoted`), so that a roster exported and imported again is unchanged.
"""

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_START_SET = frozenset(FORMULA_STARTS)  # text[:1] in it: the quickest test, for core.xlsx's hot path
NUMBERS = (int, float, Decimal)


def cell_safe(value):
    """`value` as a CSV or Excel cell: None and numbers unchanged, anything else as text, `'` put before a text
    that a spreadsheet would read as a formula."""
    if value is None or isinstance(value, NUMBERS):
        return value
    text = value if type(value) is str else str(value)
    return "'" + text if text[:1] in FORMULA_START_SET else text


def cells_safe(values) -> list:
    """A row of cells through `cell_safe`."""
    return [cell_safe(value) for value in values]


def cell_unquoted(text: str) -> str:
    """A cell's text as it was before `cell_safe`: the `'` it put before a formula character read off."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
