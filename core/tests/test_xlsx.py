"""The streaming .xlsx writer: what it writes, openpyxl (as Excel would) reads back cell for cell."""

import io

import openpyxl

from core import xlsx


def test_it_writes_sheets_that_read_back_cell_for_cell():
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    with book.sheet("汇总", widths=[24, 28]) as sheet:
        sheet.row(["地点", "天庆嘉园"], style=xlsx.BOLD)
        sheet.row(["满意率", 0.875, None, "A&B <c> \x07响铃"], styles=[None, xlsx.PERCENT])
    with book.sheet("一个非常非常非常非常非常非常非常非常非常长的名字/带斜杠") as sheet:
        sheet.rows([[1, "一"], [2, "二"]])
    with book.sheet("一个非常非常非常非常非常非常非常非常非常长的名字/带斜杠") as sheet:
        sheet.row([3])
    book.close()

    read = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    first, second, third = read.worksheets
    assert [[c.value for c in row] for row in first.iter_rows()] == [
        ["地点", "天庆嘉园", None, None], ["满意率", 0.875, None, "A&B <c> 响铃"]]
    assert first["A1"].font.b and not first["A2"].font.b
    assert first["B2"].number_format == "0.0%"
    assert first.column_dimensions["B"].width == 28
    assert [[c.value for c in row] for row in second.iter_rows()] == [[1, "一"], [2, "二"]]
    assert len(second.title) <= 31 and "/" not in second.title
    assert third.title != second.title and len(third.title) <= 31
