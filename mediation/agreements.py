"""The mediation agreement (人民调解协议书) as a PDF: its number, the parties (name, role, address — in full: it is
the parties' own document, given only to the case's readers), the facts and disputed matters, the terms, how and by
when they are performed, a signature line for each party and each mediator, the seal's line of the committee or
community, and the date. What it states is the Agreement as recorded (mediation.models.Agreement).

WeasyPrint with the embedded Chinese font (core.fonts.cjk_font), as the volunteering certificate."""

import io
from pathlib import Path

from django.template.loader import render_to_string

from core.fonts import cjk_font
from mediation import selectors
from mediation.actions import COMMUNITY_CODE_LENGTH
from places.models import Place

CSS = Path(__file__).with_name("agreement.css")


class NoFont(RuntimeError):
    """No font with Simplified Chinese is installed: every character would print as an empty box."""


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def mediator_name(mediator) -> str:
    if mediator.person_id:
        return mediator.person.name
    if mediator.team_id:
        return mediator.team.name
    person = getattr(mediator.user, "person", None)
    return (person.name if person is not None else "") or mediator.user.get_full_name() or mediator.user.username


def agreement_context(agreement) -> dict:
    dispute = agreement.dispute
    case = selectors.case_file(dispute)
    community = Place.objects.filter(code=dispute.place.code[:COMMUNITY_CODE_LENGTH]).first() or dispute.place
    parties = [{"name": selectors.party_name(p), "role": p.get_role_display(), "address": selectors.party_address(p),
                "refused": p.refused} for p in case["parties"]]
    return {"a": agreement, "dispute": dispute, "parties": [p for p in parties if not p["refused"]],
            "mediators": [{"name": mediator_name(m), "kind": m.get_kind_display()} for m in case["mediators"]],
            "committee": f"{community.name}人民调解委员会", "facts": paragraphs(agreement.facts),
            "terms": paragraphs(agreement.terms), "performance": paragraphs(agreement.performance)}


def agreement_pdf(agreement) -> bytes:
    """One A4 sheet (more if the terms are long); raises NoFont when no Chinese font is installed."""
    from weasyprint import CSS as Stylesheet  # imported here: pango is loaded only when a PDF is asked for
    from weasyprint import HTML

    font = cjk_font()
    if font is None:
        raise NoFont(agreement.number)
    html = render_to_string("mediation/agreement_pdf.html", agreement_context(agreement))
    css = CSS.read_text(encoding="utf-8").replace("FONT", font.replace('"', ""))
    buffer = io.BytesIO()
    HTML(string=html).write_pdf(buffer, stylesheets=[Stylesheet(string=css)])
    return buffer.getvalue()
