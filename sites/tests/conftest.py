import pytest

from sites.services import item_create, site_create


@pytest.fixture
def station(root, tree, unit):
    """天庆嘉园便民驿站, run by 兰州电影制片厂 (accounts["unit_admin"] is its admin)."""
    return site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"],
                       operator=unit["organisation"], opening_hours="周一至周五 9:00–17:00")


@pytest.fixture
def plasters(root, station):
    return item_create(actor=root, site=station, kind="consumable", name="创可贴", unit="片", stock=10, low_stock=3)


@pytest.fixture
def umbrellas(root, station):
    return item_create(actor=root, site=station, kind="lendable", name="雨伞", unit="把", units=2, loan_days=3)
