"""Building and reading .xlsx files in tests, as a user's Excel would."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook


def xlsx_file(rows, name="roster.xlsx") -> SimpleUploadedFile:
    """An .xlsx built the way a user's Excel would hold it: first row headers, then data."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def read_xlsx(response) -> list[list]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [["" if v is None else v for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]


def upload(client, slug, rows, name="roster.xlsx"):
    """Upload and follow to the preview; returns (response, RosterImport or None)."""
    from rosters.models import RosterImport

    response = client.post(f"/rosters/{slug}/upload", {"file": xlsx_file(rows, name)}, follow=True)
    return response, RosterImport.objects.filter(roster=slug).order_by("-created_at").first()
