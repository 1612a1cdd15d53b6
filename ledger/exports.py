"""Downloads of the public ledger: Excel (streamed), CSV open data, and the printable PDF poster-report.

They carry exactly what the public page shows — the same sections built with public=True — so no
personal data can leave through a download that the page does not show.
"""

import csv
import io
import subprocess
import tempfile
from itertools import islice

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import xlsx
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

    core.xlsx writes each row as it comes and the deeds are read from the database in batches, so a
    city-year of deeds takes the memory of one batch, not of the year.
    """
    out = tempfile.TemporaryFile()
    book = xlsx.Workbook(out)
    with book.sheet(_("Summary"), widths=[24, 28]) as summary:
        summary.row([_("Place"), place.name, place.code], style=xlsx.BOLD)
        summary.row([_("Period"), period.start.isoformat(), period.end.isoformat()], style=xlsx.BOLD)
        summary.row([])
        summary.row([_("Section"), _("Figure"), _("Value"), _("Unit"), _("Key")], style=xlsx.BOLD)
        for section, key, label, value, unit in figure_rows(built):
            summary.row([section, label, value, unit, key], styles=[None, None, xlsx.PERCENT if unit == "%" else None])

    columns = [key for key, _label in selectors.deed_columns()]
    with book.sheet(_("Deeds"), widths=[36] + [16] * (len(columns) - 1)) as sheet:
        sheet.row([label for _key, label in selectors.deed_columns()], style=xlsx.BOLD)
        rows = selectors.deed_rows(deeds_qs, public=True)
        while batch := list(islice(rows, selectors.DEED_BATCH)):
            sheet.rows([row[key] for key in columns] for row in batch)

    for b in built:
        for table in b.data.tables:
            if table.key == "deeds":
                continue
            with book.sheet(table.title, widths=[28]) as ws:
                ws.row([label for _key, label in table.columns], style=xlsx.BOLD)
                styles = [xlsx.PERCENT if key.endswith("_rate") else None for key, _label in table.columns]
                for row in table.rows:
                    ws.row([row.get(key) for key, _label in table.columns], styles=styles)
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
