"""Downloads of the public ledger: Excel (streamed), CSV open data, and the printable PDF poster-report; and
the rows of deeds that the deeds section and every download show.

They carry exactly what the public page shows — the same sections built with public=True — so no
personal data can leave through a download that the page does not show.
"""

import csv
import io
import tempfile
from itertools import islice

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import xlsx
from core.cells import cells_safe
from core.checkpoints import key_id
from core.models import Checkpoint
from ledger.section_data import BuiltSection
from ledger.selectors import place_names
from needs.models import Rating
from needs.public import title_names
from people.masking import mask_name
from people.public import public_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Deeds: what was done, where in general terms, by whom, when, the resident's grade -------------

DEED_BATCH = 2000


def deed_columns() -> list[tuple[str, str]]:
    return [("label", _("What")), ("category", _("Category")), ("community", _("Community")), ("grid", _("Grid")),
            ("by", _("By")), ("resolved_on", _("Resolved on")), ("rating", _("Resident's grade"))]


DEED_FIELDS = ("pk", "title", "category__name", "community_code", "grid_code", "lead_organisation__name",
               "lead_person__name", "resolved_at", "rating", "reporter__name", "place__code", "contact_name")


def deed_rows(needs: QuerySet, *, public: bool):
    """Rows of deeds (from ledger.selectors.deeds): the place only as community and grid, never the building
    or room; for the public, the title as people.public.public_text shows it (as on the need's card and page:
    checked against the names on record it may hold, needs.public.title_names) and a member's name masked. Read
    as tuples, not models (a city-year of deeds is a long table), and the names of places once per batch."""
    grades = {value: str(label) for value, label in Rating.choices}
    tz = timezone.get_current_timezone()
    rows = needs.values_list(*DEED_FIELDS).iterator(chunk_size=DEED_BATCH)
    while batch := list(islice(rows, DEED_BATCH)):
        names = place_names([code for row in batch for code in (row[3], row[4])])
        on_record = title_names((pk, title, code, (person, reporter, contact)) for pk, title, _c, _co, _g, _u, person,
                                _at, _r, reporter, code, contact in batch) if public else {}
        for pk, title, category, community, grid, unit, person, resolved_at, rating, *_names in batch:
            by = unit or ((mask_name(person) if public else person) if person else "")
            yield {"label": public_text(title, on_record[pk]) if public else title, "category": category or "",
                   "community": names.get(community, ""), "grid": names.get(grid, ""), "by": by,
                   "resolved_on": resolved_at.astimezone(tz).date().isoformat(), "rating": grades.get(rating, ""),
                   "id": pk}


# --- The files ------------------------------------------------------------------------------------

def checkpoint_note(site: str) -> str:
    """The footer of the PDF and the workbook: the latest signed checkpoint of the event log when the file is made,
    and where anyone can fetch it, so that a printed copy names the record its figures came from
    (docs/verifiable-history.md). `site` is the address the file's reader can reach (places.posters.base_url)."""
    latest = Checkpoint.objects.first()
    if latest is None:
        return _("No checkpoint of the record is signed yet: %(url)s") % {"url": site + reverse("checkpoints")}
    return _("This ledger's data is as of checkpoint No. %(number)s (%(at)s, root %(root)s…, key %(key)s); "
             "check it: %(url)s") % {
        "number": latest.pk, "at": timezone.localtime(latest.at).strftime("%Y-%m-%d %H:%M"),
        "root": latest.root[:8], "key": key_id(latest.public_key),
        "url": site + reverse("checkpoint_json", args=[latest.pk])}



def figure_rows(built: list[BuiltSection]):
    """(section, key, label, value, unit) for every figure, the summary of every form."""
    for b in built:
        for f in b.data.figures:
            yield b.title, f.key, f.label, f.value, f.unit


def xlsx_write(built: list[BuiltSection], place, period, deeds_qs, note: str) -> tempfile.SpooledTemporaryFile:
    """The workbook in a temporary file: a summary sheet (under the place and period, the checkpoint `note`), the
    deeds, one sheet per breakdown.

    core.xlsx writes each row as it comes and the deeds are read from the database in batches, so a
    city-year of deeds takes the memory of one batch, not of the year.
    """
    out = tempfile.TemporaryFile()
    book = xlsx.Workbook(out)
    with book.sheet(_("Summary"), widths=[24, 28]) as summary:
        summary.row([_("Place"), place.name, place.code], style=xlsx.BOLD)
        summary.row([_("Period"), period.start.isoformat(), period.end.isoformat()], style=xlsx.BOLD)
        summary.row([_("Checkpoint"), note])
        summary.row([])
        summary.row([_("Section"), _("Figure"), _("Value"), _("Unit"), _("Key")], style=xlsx.BOLD)
        for section, key, label, value, unit in figure_rows(built):
            summary.row([section, label, value, unit, key], styles=[None, None, xlsx.PERCENT if unit == "%" else None])

    columns = [key for key, _label in deed_columns()]
    with book.sheet(_("Deeds"), widths=[36] + [16] * (len(columns) - 1)) as sheet:
        sheet.row([label for _key, label in deed_columns()], style=xlsx.BOLD)
        rows = deed_rows(deeds_qs, public=True)
        while batch := list(islice(rows, DEED_BATCH)):
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


def csv_writer():
    """Lines of CSV, each cell through core.cells (no formula), every text quoted: a text with a `;` in it
    stays one cell where Excel splits on `;` (a European locale), so nothing after it can start a formula."""
    return csv.writer(Echo(), quoting=csv.QUOTE_NONNUMERIC)


def csv_figures(built: list[BuiltSection]):
    """The figures as CSV lines (UTF-8 with BOM so that Excel opens the Chinese right)."""
    writer = csv_writer()
    yield "\ufeff" + writer.writerow(["section", "key", "label", "value", "unit"])
    for section, key, label, value, unit in figure_rows(built):
        yield writer.writerow(cells_safe([section, key, label, "" if value is None else value, unit]))
    for b in built:
        for table in b.data.tables:
            if table.key == "deeds":
                continue
            for row in table.rows:
                for key, label in table.columns[1:]:
                    yield writer.writerow(cells_safe([
                        b.title, f"{table.key}.{key}", f"{table.title} · {row['label']} · {label}",
                        "" if row.get(key) is None else row.get(key), ""]))


def csv_deeds(deeds_qs):
    writer = csv_writer()
    yield "\ufeff" + writer.writerow([key for key, _label in deed_columns()])
    for row in deed_rows(deeds_qs, public=True):
        yield writer.writerow(cells_safe([row[key] for key, _label in deed_columns()]))




def pdf_render(built: list[BuiltSection], place, period, font: str, deeds: list[dict], note: str) -> bytes:
    from weasyprint import HTML  # imported here: pango is loaded only when a PDF is asked for

    html = render_to_string("ledger/pdf.html", {"sections": built, "place": place, "period": period,
                                                "font": font, "deeds": deeds, "note": note})
    buffer = io.BytesIO()
    HTML(string=html).write_pdf(buffer)
    return buffer.getvalue()
