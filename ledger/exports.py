"""Downloads of the public ledger: Excel (streamed), CSV open data, and the printable PDF poster-report.

They carry exactly what the public page shows — the same sections built with public=True — so no
personal data can leave through a download that the page does not show.
"""

import csv
import io
import subprocess
import tempfile

import xlsxwriter
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ledger import selectors
from ledger.sections import BuiltSection

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figure_rows(built: list[BuiltSection]):
    """(section, key, label, value, unit) for every figure, the summary of every form."""
    for b in built:
        for f in b.data.figures:
            yield b.title, f.key, f.label, f.value, f.unit


def xlsx_write(built: list[BuiltSection], place, period, deeds_qs) -> tempfile.SpooledTemporaryFile:
    """The workbook in a temporary file: a summary sheet, the deeds, one sheet per breakdown.

    constant_memory makes xlsxwriter flush each row as it is written, and the deeds are read from the
    database in chunks, so a city-year of deeds takes the memory of one chunk, not of the year.
    """
    out = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False,
                                     "tmpdir": tempfile.gettempdir()})
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    summary = book.add_worksheet(_("Summary")[:31])
    summary.set_column(0, 0, 24)
    summary.set_column(1, 1, 28)
    summary.write_row(0, 0, [_("Place"), place.name, place.code], bold)
    summary.write_row(1, 0, [_("Period"), period.start.isoformat(), period.end.isoformat()], bold)
    summary.write_row(3, 0, [_("Section"), _("Figure"), _("Value"), _("Unit"), _("Key")], bold)
    for r, (section, key, label, value, unit) in enumerate(figure_rows(built), start=4):
        summary.write_row(r, 0, [section, label])
        if value is None:
            summary.write_blank(r, 2, None)
        elif unit == "%":
            summary.write_number(r, 2, value, percent)
        else:
            summary.write_number(r, 2, value)
        summary.write_row(r, 3, [unit, key])

    sheet = book.add_worksheet(_("Deeds")[:31])
    columns = selectors.deed_columns()
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, len(columns) - 1, 16)
    sheet.write_row(0, 0, [label for _key, label in columns], bold)
    for r, row in enumerate(selectors.deed_rows(deeds_qs, public=True), start=1):
        sheet.write_row(r, 0, [row[key] for key, _label in columns])

    names = set()
    for b in built:
        for table in b.data.tables:
            if table.key == "deeds":
                continue
            name = str(table.title)[:31]
            while name in names:
                name = name[:29] + f"{len(names):02d}"
            names.add(name)
            ws = book.add_worksheet(name)
            ws.set_column(0, 0, 28)
            ws.write_row(0, 0, [label for _key, label in table.columns], bold)
            for r, row in enumerate(table.rows, start=1):
                for c, (key, _label) in enumerate(table.columns):
                    value = row.get(key)
                    if key.endswith("_rate") and value is not None:
                        ws.write_number(r, c, value, percent)
                    elif value is not None:
                        ws.write(r, c, value)
    book.close()
    out.seek(0)
    return out


class Echo:
    def write(self, value):
        return value


def csv_figures(built: list[BuiltSection]):
    """The figures as CSV lines (UTF-8 with BOM so that Excel opens the Chinese right)."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(["section", "key", "label", "value", "unit"])
    for section, key, label, value, unit in figure_rows(built):
        yield writer.writerow([section, key, label, "" if value is None else value, unit])
    for b in built:
        for table in b.data.tables:
            if table.key == "deeds":
                continue
            for row in table.rows:
                for key, label in table.columns[1:]:
                    yield writer.writerow([b.title, f"{table.key}.{key}", f"{table.title} · {row['label']} · {label}",
                                           "" if row.get(key) is None else row.get(key), ""])


def csv_deeds(deeds_qs):
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([key for key, _label in selectors.deed_columns()])
    for row in selectors.deed_rows(deeds_qs, public=True):
        yield writer.writerow([row[key] for key, _label in selectors.deed_columns()])


def cjk_font() -> str | None:
    """The name of an installed font that has Simplified Chinese, or None (then no PDF is made)."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    families = [line.split(",")[0].strip() for line in found.stdout.splitlines() if line.strip()]
    return sorted(families)[0] if families else None


def pdf_render(built: list[BuiltSection], place, period, font: str, deeds: list[dict]) -> bytes:
    from weasyprint import HTML  # imported here: pango is loaded only when a PDF is asked for

    html = render_to_string("ledger/pdf.html", {"sections": built, "place": place, "period": period,
                                                "font": font, "deeds": deeds})
    buffer = io.BytesIO()
    HTML(string=html).write_pdf(buffer)
    return buffer.getvalue()
