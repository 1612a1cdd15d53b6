"""A streaming .xlsx writer for big flat tables (the ledger's year of deeds in a whole city).

xlsxwriter, which the roster templates keep for their drop-down lists and colours, spends ~100 µs a row
on type checks and cell-by-cell XML; a table of a million deeds wants a few µs. Here each sheet is written
as it comes, one row at a time, straight into its member of the zip file: strings inline (no shared-string
table to hold in memory), numbers as numbers, three styles (plain, bold, percent). Sheets are written one
after the other, as the zip format requires. A text that a spreadsheet would read as a formula is written
with a leading ' (core.cells), although an inline string is never a formula: the cell stays text once edited.

    book = Workbook(fileobj)
    with book.sheet("汇总", widths=[24, 28]) as sheet:
        sheet.row(["地点", "天庆嘉园"], style=BOLD)
        sheet.row(["满意率", 0.87], styles=[None, PERCENT])
    book.close()
"""

import contextlib
import re
import zipfile
from xml.sax.saxutils import escape, quoteattr

from core.cells import FORMULA_START_SET, NUMBERS

PLAIN, BOLD, PERCENT = 0, 1, 2
# Characters XML 1.0 cannot carry (control characters a pasted title may hold); dropped from strings.
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _cell(value, style) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f"<c{s}/>"
    if isinstance(value, NUMBERS) and not isinstance(value, bool):
        return f"<c{s}><v>{value}</v></c>"
    text = _INVALID.sub("", str(value))
    # core.cells.cell_safe, inlined (as a call it took a fifth of the export's speed), after the control
    # characters are dropped: "\x01=…" starts with "=" then.
    if text[:1] in FORMULA_START_SET:
        text = "'" + text
    text = escape(text)
    return f'<c{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(values, style=PLAIN, styles=None) -> str:
    styles = styles or ()
    return "<row>" + "".join([_cell(v, styles[i] if i < len(styles) and styles[i] is not None else style)
                              for i, v in enumerate(values)]) + "</row>"


class Sheet:
    def __init__(self, out):
        self._out = out

    def row(self, values, *, style=PLAIN, styles=None):
        """One row from the first column; `styles`, one per leading value, overrides `style` where not None."""
        self._out.write(_row(values, style, styles).encode())

    def rows(self, values_of_rows):
        """Plain rows in one write: the hot path of a long table."""
        self._out.write("".join([_row(values) for values in values_of_rows]).encode())


class Workbook:
    def __init__(self, fileobj):
        self._zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names: list[str] = []

    def _unique(self, name: str) -> str:
        name = _SHEET_NAME.sub(" ", str(name)).strip()[:31] or "Sheet"
        base, n = name, 1
        while name.lower() in (taken.lower() for taken in self._names):
            suffix = f" ({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        return name

    @contextlib.contextmanager
    def sheet(self, name: str, widths=()):
        """A sheet named `name` (cut to Excel's 31 characters, made unique); `widths`: of the first columns."""
        self._names.append(self._unique(name))
        with self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w", force_zip64=True) as out:
            cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                           for i, w in enumerate(widths, start=1))
            out.write(f'{_XML}<worksheet xmlns="{_MAIN}">{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'.encode())
            yield Sheet(out)
            out.write(b"</sheetData></worksheet>")

    def close(self):
        n = len(self._names)
        sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in enumerate(self._names, start=1))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        worksheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{worksheet_type}"/>'
                            for i in range(1, n + 1))
        self._zip.writestr("[Content_Types].xml", (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"))
        self._zip.writestr("_rels/.rels", f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                                          f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        self._zip.writestr("xl/workbook.xml", f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                                              f"<sheets>{sheets}</sheets></workbook>")
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()
