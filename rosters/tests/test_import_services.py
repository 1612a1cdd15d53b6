"""The import's services on their own: each step's state, its events, and nothing written after a refusal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Event
from places.models import Place
from rosters import services, storage, workflow
from rosters.models import ImportState, RosterImport
from rosters.specs import ROSTERS
from rosters.tests.helpers import xlsx_file

PLACES = ["编码", "名称", "类型", "上级编码"]
GRID = ["620102010001002", "天庆嘉园第二网格", "网格", "620102010001"]


def uploaded(*rows):
    return xlsx_file([PLACES, *rows])


def checked(actor, *rows) -> RosterImport:
    roster_import = services.roster_import_create(actor=actor, roster=ROSTERS["places"], uploaded=uploaded(*rows))
    services.roster_import_check(roster_import=roster_import)
    return roster_import


def files_kept() -> set[str]:
    return {path.name for path in storage.directory().iterdir()}


def test_it_keeps_an_upload_for_its_check(accounts, tree):
    staff = accounts["community_staff"]
    events = Event.objects.count()
    roster_import = services.roster_import_create(actor=staff, roster=ROSTERS["places"], uploaded=uploaded(GRID))
    assert roster_import.state == ImportState.CHECKING and roster_import.user == staff
    assert files_kept() == {f"{roster_import.pk}.xlsx"} and Event.objects.count() == events


@pytest.mark.parametrize("role", ["grid_worker", "unit_admin", "resident"])
def test_it_refuses_an_upload_to_a_roster_the_user_may_not_use(accounts, tree, role):
    with pytest.raises(PermissionDenied):
        services.roster_import_create(actor=accounts[role], roster=ROSTERS["places"], uploaded=uploaded(GRID))
    assert not RosterImport.objects.exists() and files_kept() == set()


def test_it_refuses_a_missing_or_too_big_file(accounts, tree, monkeypatch):
    staff = accounts["community_staff"]
    with pytest.raises(ValidationError) as missing:
        services.roster_import_create(actor=staff, roster=ROSTERS["places"], uploaded=None)
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(ValidationError) as too_big:
        services.roster_import_create(actor=staff, roster=ROSTERS["places"],
                                      uploaded=SimpleUploadedFile("big.xlsx", b"x" * 11))
    assert (missing.value.code, too_big.value.code) == ("required", "too_big")
    assert not RosterImport.objects.exists() and files_kept() == set()


def test_it_checks_confirms_and_writes_with_the_imports_event(accounts, tree):
    staff = accounts["community_staff"]
    roster_import = checked(staff, GRID)
    assert roster_import.state == ImportState.PREVIEWED and roster_import.counts["create"] == 1
    events = Event.objects.count()
    services.roster_import_confirm(actor=staff, roster_import=roster_import)
    assert RosterImport.objects.get().state == ImportState.IMPORTING and Event.objects.count() == events
    assert not Place.objects.filter(code=GRID[0]).exists()   # the write is the next step
    services.roster_import_write(roster_import=roster_import)
    stored = RosterImport.objects.get()
    assert stored.state == ImportState.IMPORTED and stored.imported_at and stored.counts["create"] == 1
    assert Place.objects.filter(code=GRID[0]).exists()
    event = Event.objects.filter(verb="roster_import").get()   # besides the place's own, from place_create
    assert (event.actor, event.subject_id) == (staff, str(roster_import.pk))
    assert event.data == {"roster": "places", "counts": stored.counts, "sha256": stored.sha256}
    assert files_kept() == {f"{roster_import.pk}.errors.jsonl"}   # the error report's rows, until swept


def test_it_marks_a_file_it_cannot_read_failed(accounts, tree):
    staff = accounts["community_staff"]
    roster_import = services.roster_import_create(actor=staff, roster=ROSTERS["places"],
                                                  uploaded=SimpleUploadedFile("名册.xlsx", b"not a workbook"))
    services.roster_import_check(roster_import=roster_import)
    stored = RosterImport.objects.get()
    assert stored.state == ImportState.FAILED and "Excel" in stored.problem and files_kept() == set()


def test_it_refuses_to_confirm_an_import_again(accounts, tree):
    staff = accounts["community_staff"]
    roster_import = checked(staff, GRID)
    services.roster_import_confirm(actor=staff, roster_import=roster_import)
    services.roster_import_write(roster_import=roster_import)
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.roster_import_confirm(actor=staff, roster_import=roster_import)
    assert refused.value.code == "state"
    assert RosterImport.objects.get().state == ImportState.IMPORTED and Event.objects.count() == events


def test_it_lets_one_of_two_simultaneous_confirmations_through(accounts, tree):
    staff = accounts["community_staff"]
    checked(staff, GRID)
    first, second = RosterImport.objects.get(), RosterImport.objects.get()   # two requests, both read it previewed
    services.roster_import_confirm(actor=staff, roster_import=first)
    with pytest.raises(ValidationError):
        services.roster_import_confirm(actor=staff, roster_import=second)
    assert second.state == ImportState.IMPORTING   # read again: the page shows the first one's progress


@pytest.mark.parametrize("step", [services.roster_import_confirm, services.roster_import_cancel])
def test_it_lets_only_the_uploader_confirm_or_cancel(accounts, tree, step):
    roster_import = checked(accounts["community_staff"], GRID)
    kept = files_kept()
    for other in ("subdistrict_admin", "other_community_staff", "grid_worker"):
        with pytest.raises(PermissionDenied):
            step(actor=accounts[other], roster_import=roster_import)
    assert RosterImport.objects.get().state == ImportState.PREVIEWED and files_kept() == kept


def test_it_cancels_and_drops_the_files(accounts, tree):
    staff = accounts["community_staff"]
    roster_import = checked(staff, GRID)
    events = Event.objects.count()
    services.roster_import_cancel(actor=staff, roster_import=roster_import)
    assert RosterImport.objects.get().state == ImportState.CANCELLED and files_kept() == set()
    with pytest.raises(ValidationError):
        services.roster_import_confirm(actor=staff, roster_import=roster_import)
    assert RosterImport.objects.get().state == ImportState.CANCELLED
    assert not Place.objects.filter(code=GRID[0]).exists() and Event.objects.count() == events


def test_it_refuses_to_cancel_an_imported_file(accounts, tree):
    staff = accounts["community_staff"]
    roster_import = checked(staff, GRID, ["620102010001009001", "孤儿小区", "小区", "620102010001009"])
    services.roster_import_confirm(actor=staff, roster_import=roster_import)
    services.roster_import_write(roster_import=roster_import)
    with pytest.raises(ValidationError):
        services.roster_import_cancel(actor=staff, roster_import=roster_import)
    assert RosterImport.objects.get().state == ImportState.IMPORTED
    assert files_kept() == {f"{roster_import.pk}.errors.jsonl"}   # the error report still downloads


def test_it_cancels_an_import_whose_file_was_swept(accounts, tree):
    staff = accounts["community_staff"]
    roster_import = checked(staff, GRID)
    storage.discard(roster_import)
    with pytest.raises(ValidationError) as refused:
        services.roster_import_confirm(actor=staff, roster_import=roster_import)
    assert refused.value.code == "expired" and RosterImport.objects.get().state == ImportState.CANCELLED


def test_it_goes_back_to_the_preview_when_the_write_stops(accounts, tree, monkeypatch):
    staff = accounts["community_staff"]
    roster_import = checked(staff, GRID)
    services.roster_import_confirm(actor=staff, roster_import=roster_import)
    events = Event.objects.count()

    def stops(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "run", stops)
    with pytest.raises(OSError):
        services.roster_import_write(roster_import=roster_import)
    assert RosterImport.objects.get().state == ImportState.PREVIEWED and Event.objects.count() == events
    monkeypatch.undo()
    services.roster_import_confirm(actor=staff, roster_import=roster_import)   # and may be confirmed again
    services.roster_import_write(roster_import=roster_import)
    assert Place.objects.filter(code=GRID[0]).exists()


def test_it_refuses_an_export_of_a_roster_the_user_may_not_use(accounts, tree, tmp_path):
    events = Event.objects.count()
    with open(tmp_path / "out.xlsx", "wb") as target, pytest.raises(PermissionDenied):
        services.roster_export(actor=accounts["unit_admin"], roster=ROSTERS["places"], target=target)
    assert (tmp_path / "out.xlsx").stat().st_size == 0 and Event.objects.count() == events


def test_it_ends_every_import_in_a_state_with_no_way_on():
    states = {state for state, _action in workflow.TRANSITIONS} | set(workflow.TRANSITIONS.values())
    assert states == set(ImportState.values)
    ends = {ImportState.IMPORTED, ImportState.CANCELLED, ImportState.FAILED}
    assert not {state for state, _action in workflow.TRANSITIONS} & ends
