"""A volunteer's whole record as an Excel workbook, for transfer to the national system (全国志愿服务信息系统):
basic information, services (what, where, when, hours), corrections, training, commendations, evaluations and
certificates, one sheet each. Every text cell goes through core.cells.cell_safe (a title typed as =HYPERLINK(…)
stays text); numbers stay numbers."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from core import xlsx
from core.cells import cells_safe
from places.models import PlaceKind, containing_codes
from volunteering.selectors import record_of


def _moment(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _day(value) -> str:
    return value.isoformat() if value else ""


def _number(value):
    return None if value is None else float(value)


def _organiser(activity) -> str:
    return " / ".join(o.name for o in (activity.team, activity.organisation) if o is not None)


def _community(person) -> str:
    if person.home_id is None:
        return ""
    from places.models import Place

    community = Place.objects.filter(code__in=containing_codes(person.home.code), kind=PlaceKind.COMMUNITY).first()
    return community.name if community else ""


def _table(book, title: str, header: list, rows: list, widths=()):
    with book.sheet(title, widths=widths) as sheet:
        sheet.row(cells_safe(header), style=xlsx.BOLD)
        for row in rows:
            sheet.row(cells_safe(row))


def record_xlsx(volunteer) -> bytes:
    """The whole record of the volunteer, as .xlsx bytes (a record is small: some hundreds of rows)."""
    record = record_of(volunteer)
    volunteer, person = record["volunteer"], record["person"]
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    basic = [
        (_("Full name"), person.name),
        (_("Volunteer number"), volunteer.number),
        (_("Gender"), person.get_gender_display() if person.gender else ""),
        (_("ID card number"), volunteer.id_card_number),
        (_("Phone"), person.phone),
        (_("Community"), _community(person)),
        (_("Registered on"), _day(volunteer.registered_on)),
        (_("Certified hours"), _number(record["hours"])),
        (_("Star level"), record["star_level"]),
        (_("Skills"), person.skills),
        (_("Exported at"), _moment(timezone.now())),
    ]
    with book.sheet(_("Basic information"), widths=[20, 40]) as sheet:
        for label, value in basic:
            sheet.row(cells_safe([label, value]), styles=[xlsx.BOLD])
    _table(book, _("Services"),
           [_("Activity"), _("Kind"), _("Place"), _("Starts"), _("Ends"), _("Hours"), _("State"),
            _("Service content"), _("Organiser"), _("Certified at"), _("Query")],
           [[s.activity.name, s.activity.get_kind_display(), s.activity.place.name, _moment(s.activity.starts_at),
             _moment(s.activity.ends_at), _number(s.hours), s.get_state_display(), s.content,
             _organiser(s.activity), _moment(s.certified_at), s.query_reason] for s in record["services"]],
           widths=[28, 16, 20, 17, 17, 8, 10, 36, 24, 17, 30])
    _table(book, _("Hours corrections"),
           [_("Activity"), _("Starts"), _("Old hours"), _("New hours"), _("Reason"), _("Changed at")],
           [[c.entry.activity.name, _moment(c.entry.activity.starts_at), _number(c.old_hours), _number(c.new_hours),
             c.reason, _moment(c.changed_at)] for c in record["corrections"]],
           widths=[28, 17, 10, 10, 40, 17])
    for key, title in (("training", _("Training")), ("commendations", _("Commendations")),
                       ("evaluations", _("Evaluations"))):
        header = [_("Date"), _("Title"), _("Given by")] + ([_("Training hours")] if key == "training" else [])
        rows = [[_day(e.on), e.title, e.by.name if e.by_id else ""]
                + ([_number(e.hours)] if key == "training" else []) for e in record[key]]
        _table(book, title, header, rows, widths=[12, 40, 24, 10])
    _table(book, _("Certificates"),
           [_("Certificate number"), _("First day"), _("Last day"), _("Hours"), _("Service content"), _("Issued by"),
            _("Person in charge"), _("Contact telephone"), _("Issued at")],
           [[c.number, _day(c.first_day), _day(c.last_day), _number(c.hours), c.content, c.issuer.name,
             c.person_in_charge, c.contact, _moment(c.issued_at)] for c in record["certificates"]],
           widths=[24, 12, 12, 8, 40, 24, 12, 16, 17])
    book.close()
    return out.getvalue()
