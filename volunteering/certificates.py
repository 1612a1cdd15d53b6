"""The certificate of volunteer service (志愿服务记录证明) as a PDF (SPEC §5): the volunteer's name and number (the
ID-card number only if they asked for it), the hours and the service content of the period, the star level, the
issuing organisation with its person in charge, the handling person and a contact, the certificate's number and
date, the seal's place (a circle with the issuer's name: the seal is stamped on the printed sheet) and a QR code
that opens the public verification page (volunteering:verify).

What it states is the Certificate as issued (volunteering.models.Certificate), so the page the QR code opens shows
what was printed. WeasyPrint with the embedded Chinese font places.posters finds; the QR code is the posters' (a
PNG of a pixel a module, level M), so places/tests/qr.py reads it back.
"""

import io
import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from core.fonts import cjk_font
from people import scopes
from places.posters import qr_png
from volunteering import selectors

CSS = Path(__file__).with_name("certificate.css")


class NoFont(RuntimeError):
    """No font with Simplified Chinese is installed: every character would print as an empty box."""


def handler_name(user) -> str:
    """The handling person as printed: their name on record, else the account's name."""
    person = scopes.person_of(user)
    return (person.name if person is not None else "") or user.get_full_name() or user.get_username()


def certificate_context(certificate) -> dict:
    volunteer = certificate.volunteer
    total = selectors.hours_total(volunteer, last_day=certificate.last_day)
    stars = selectors.star_level(total)
    return {"c": certificate, "name": volunteer.person.name, "number": volunteer.number,
            "id_card": volunteer.id_card_number if certificate.with_id_card else "",
            "stars": stars, "star_marks": "★" * stars + "☆" * (5 - stars), "total": total,
            "handler": handler_name(certificate.handled_by),
            "issued_on": timezone.localtime(certificate.issued_at).date(),
            "content_lines": [line.strip() for line in re.split(r"[；;\n]", certificate.content) if line.strip()]}


def certificate_pdf(certificate, *, verify_url: str) -> bytes:
    """One A4 page; raises NoFont when no Chinese font is installed."""
    from weasyprint import CSS as Stylesheet  # imported here: pango is loaded only when a PDF is asked for
    from weasyprint import HTML

    font = cjk_font()
    if font is None:
        raise NoFont(certificate.number)
    html = render_to_string("volunteering/certificate_pdf.html", {
        **certificate_context(certificate), "verify_url": verify_url, "qr": qr_png(verify_url)})
    css = CSS.read_text(encoding="utf-8").replace("FONT", font.replace('"', ""))
    buffer = io.BytesIO()
    HTML(string=html).write_pdf(buffer, stylesheets=[Stylesheet(string=css)])
    return buffer.getvalue()
