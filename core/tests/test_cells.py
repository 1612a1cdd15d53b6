"""Spreadsheet cells without formulas (core.cells), and the streaming writer using them (core.xlsx)."""

import io
from decimal import Decimal

import openpyxl
from django.utils.translation import gettext_lazy

from core import xlsx
from core.cells import FORMULA_STARTS, cell_safe, cell_unquoted, cells_safe


def test_it_puts_a_quote_before_each_formula_character_and_reads_it_off_again():
    for start in FORMULA_STARTS:
        text = f"{start}HYPERLINK(\"http://evil.example\")"
        assert cell_safe(text) == "'" + text
        assert cell_unquoted(cell_safe(text)) == text


def test_it_leaves_other_text_and_numbers_as_they_are():
    assert cells_safe(["天庆嘉园", " =1", "a=b", "", None, -3, -0.5, Decimal("-1.25"), True]) == [
        "天庆嘉园", " =1", "a=b", "", None, -3, -0.5, Decimal("-1.25"), True]
    assert type(cell_safe(gettext_lazy("Summary"))) is str  # a lazy text becomes text
    assert cell_unquoted("'abc") == "'abc" and cell_unquoted("'") == "'"  # a quote of the user's own stays


def test_the_streaming_writer_keeps_numbers_and_quotes_formula_text():
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    with book.sheet("汇总") as sheet:
        sheet.row([-3, "-3", "=SUM(A1)", "\x01=HYPERLINK(1)", "@cmd", Decimal("-1.5")])
    book.close()
    row = next(openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert row == (-3, "'-3", "'=SUM(A1)", "'=HYPERLINK(1)", "'@cmd", -1.5)
