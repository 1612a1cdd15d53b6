import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Event
from places.models import Place
from places.services import coverage_create, place_create


def test_it_accepts_a_code_that_extends_its_parent(tree):
    assert tree["grid1"].code == "620102010001001"
    assert tree["tqjy"].contains(tree["entrance"])
    assert not tree["wlpd"].contains(tree["entrance"])
    assert [p.name for p in tree["entrance"].ancestors()] == [
        "兰州市", "城关区", "拱星墩街道", "天庆嘉园社区", "天庆嘉园第一网格", "天庆嘉园A区", "1号楼"]


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("code, field, words", [
    ("62010201000", "code", "12"),            # too short
    ("6201020100011", "code", "12"),          # too long
    ("62010201000A", "code", "12"),           # not digits
    ("620103010001", "code", "620102010"),    # wrong parent prefix: names the parent's code
])
def test_it_refuses_a_bad_community_code_with_a_clear_message(tree, root, code, field, words):
    before = (Place.objects.count(), Event.objects.count())
    with pytest.raises(ValidationError) as err:
        place_create(actor=root, kind="community", name="新社区", code=code, parent=tree["subdistrict"])
    message = " ".join(err.value.message_dict[field])
    assert words in message and chinese(message)
    assert (Place.objects.count(), Event.objects.count()) == before


def test_it_refuses_a_grid_directly_under_a_subdistrict(tree, root):
    with pytest.raises(ValidationError) as err:
        place_create(actor=root, kind="grid", name="错位网格", code="620102010099", parent=tree["subdistrict"])
    message = err.value.message_dict["parent"][0]
    assert "网格" in message and "街道" in message and "社区" in message
    assert not Place.objects.filter(name="错位网格").exists()


def test_it_refuses_a_grid_without_a_parent(root, db):
    with pytest.raises(ValidationError) as err:
        place_create(actor=root, kind="grid", name="孤立网格", code="620102010001009")
    assert "社区" in err.value.message_dict["parent"][0]


def test_it_refuses_a_duplicate_code(tree, root):
    with pytest.raises(ValidationError) as err:
        place_create(actor=root, kind="grid", name="重复网格", code="620102010001001", parent=tree["tqjy"])
    assert "code" in err.value.message_dict


def test_it_refuses_malformed_geojson(tree, root):
    with pytest.raises(ValidationError) as err:
        place_create(actor=root, kind="grid", name="坏边界", code="620102010001002", parent=tree["tqjy"],
                     geometry={"type": "Polygon", "coordinates": [[1, 2]]})
    assert "geometry" in err.value.message_dict


def test_it_appends_one_event_per_place_created(tree):
    assert Event.objects.filter(verb="place_create").count() == Place.objects.count()


def test_it_lets_community_staff_add_places_only_in_their_community(tree, accounts):
    staff = accounts["community_staff"]
    grid = place_create(actor=staff, kind="grid", name="天庆嘉园第二网格", code="620102010001002",
                        parent=tree["tqjy"])
    assert grid.parent == tree["tqjy"]
    with pytest.raises(PermissionDenied):
        place_create(actor=staff, kind="grid", name="越界网格", code="620102010002002", parent=tree["wlpd"])
    with pytest.raises(PermissionDenied):
        place_create(actor=accounts["grid_worker"], kind="compound", name="网格员小区",
                     code="620102010001001002", parent=tree["grid1"])


def test_it_records_coverage_of_grids_compounds_courtyards_and_unit_sites_only(tree, unit, root, today):
    coverage = coverage_create(actor=root, place=tree["grid1"], organisation=unit["organisation"], since=today)
    assert coverage_create(actor=root, place=tree["grid1"], organisation=unit["organisation"],
                           since=today) == coverage
    with pytest.raises(ValidationError) as err:
        coverage_create(actor=root, place=tree["building"], organisation=unit["organisation"], since=today)
    assert "网格" in " ".join(err.value.messages)
