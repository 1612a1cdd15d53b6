"""Shared fixtures: a small subdistrict with two communities, and one account per role."""

import datetime
import io
import os
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live-server browser tests


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Browser tests run Debian's Chromium (/usr/bin/chromium), never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s per account; tests create dozens."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Tests roll their writes back and write fixtures without events, so a cache keyed on the event chain's
    head (the ledger's) could outlive the data it was built from: each test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def tasks_run_inline():
    """Background tasks run where they are enqueued, so tests see their effects (huey's immediate mode)."""
    from huey.contrib.djhuey import HUEY

    was, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = was


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def tree(root):
    """拱星墩街道 with 天庆嘉园社区 (one grid, compound, building, entrance) and 五里铺东社区 (one grid)."""
    from places.services import place_create

    t = {}
    t["city"] = place_create(actor=root, kind="city", name="兰州市", code="6201")
    t["district"] = place_create(actor=root, kind="district", name="城关区", code="620102",
                                 parent=t["city"])
    t["subdistrict"] = place_create(actor=root, kind="subdistrict", name="拱星墩街道", code="620102010",
                                    parent=t["district"])
    t["tqjy"] = place_create(actor=root, kind="community", name="天庆嘉园社区", code="620102010001",
                             parent=t["subdistrict"], area_km2="0.45", buildings=52, households=2465,
                             residents=7792)
    t["wlpd"] = place_create(actor=root, kind="community", name="五里铺东社区", code="620102010002",
                             parent=t["subdistrict"])
    t["grid1"] = place_create(actor=root, kind="grid", name="天庆嘉园第一网格", code="620102010001001",
                              parent=t["tqjy"], geometry={"type": "Polygon", "coordinates": [
                                  [[103.88, 36.05], [103.89, 36.05], [103.89, 36.06], [103.88, 36.06],
                                   [103.88, 36.05]]]})
    t["grid2"] = place_create(actor=root, kind="grid", name="五里铺东第一网格", code="620102010002001",
                              parent=t["wlpd"])
    t["compound"] = place_create(actor=root, kind="compound", name="天庆嘉园A区", code="620102010001001001",
                                 parent=t["grid1"])
    t["building"] = place_create(actor=root, kind="building", name="1号楼", code="620102010001001001001",
                                 parent=t["compound"])
    t["entrance"] = place_create(actor=root, kind="entrance", name="1号楼2单元",
                                 code="62010201000100100100102", parent=t["building"])
    t["compound2"] = place_create(actor=root, kind="compound", name="五里铺东小区", code="620102010002001001",
                                  parent=t["grid2"])
    return t


@pytest.fixture
def unit(root, tree):
    from people.services import organisation_create, party_organisation_create

    org = organisation_create(actor=root, kind="co_building_unit", name="兰州电影制片厂", place=tree["grid1"],
                              service_categories="加装电梯咨询, 法律咨询")
    branch = party_organisation_create(actor=root, level="branch", name="兰州电影制片厂党支部", organisation=org)
    return {"organisation": org, "branch": branch}


@pytest.fixture
def accounts(root, tree, unit):
    """One account per role, each with its scope; `accounts["community_staff"]` is 天庆嘉园's staff."""
    from people.services import person_account_link, person_create, role_grant

    def make(username, role, **scope):
        user = User.objects.create_user(username, password="pass-12345")
        role_grant(actor=root, user=user, role=role, **scope)
        return user

    a = {
        "subdistrict_admin": make("jd_admin", "subdistrict_admin", place=tree["subdistrict"]),
        "community_staff": make("tqjy_staff", "community_staff", place=tree["tqjy"]),
        "other_community_staff": make("wlpd_staff", "community_staff", place=tree["wlpd"]),
        "grid_worker": make("tqjy_grid1", "grid_worker", place=tree["grid1"]),
        "unit_admin": make("dy_admin", "unit_admin", organisation=unit["organisation"]),
        "party_member": make("member1", "party_member"),
        "resident": make("resident1", "resident"),
        "committee_member": make("committee1", "committee_member", place=tree["tqjy"]),
    }
    for key in ("party_member", "resident"):
        person = person_create(actor=root, name=f"{key}用户", phone=f"1390000000{len(key) % 10}",
                               home=tree["entrance"], room="101", is_resident=True)
        person_account_link(actor=root, person=person, user=a[key])
    return a


@pytest.fixture
def today():
    return datetime.date(2021, 6, 1)


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The article's demo data set, loaded once per test module through the real services (load_demo) in a
    transaction rolled back at the end; yields what load_demo printed. Use it with `db` in each test."""
    # The demo's evidence photos go to a folder of the module's own, not to var/media; the key it makes to sign its
    # checkpoint (no key being configured) too, not to var/.
    with django_db_blocker.unblock(), tempfile.TemporaryDirectory() as media, override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media,
            CHECKPOINT_KEY="", CHECKPOINT_KEY_FILE=Path(media) / "checkpoint-key.pem"):
        with transaction.atomic():
            out = io.StringIO()
            call_command("load_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)
