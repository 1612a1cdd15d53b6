"""Backup and restore (core/backup.py, `manage.py backup` / `restore`, the nightly task in core/tasks.py).

The round trip runs the real commands in subprocesses, on a database and media folder of their own (the demo
loaded into a fresh SQLite file; on PostgreSQL, when the suite runs there, into a fresh database), so the test
database is never replaced; the restore goes into a new, empty database and media folder, and the ledger read
from the restored database is the one read from the original."""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from core.backup import MANIFEST, backups_prune
from core.events import chains_version
from core.tasks import backup_due, backup_nightly
from places.models import Place

ROOT = Path(settings.BASE_DIR)
# What the subprocesses must not inherit from this one: each gets a database, media and backup folder of its own.
OWN = ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "VAR_DIR", "MEDIA_ROOT", "BACKUP_DIR", "HUEY_IMMEDIATE")

# Every table's count, the chain's head and the subdistrict's 2021 ledger (staff's and the public's), as JSON.
PROBE = """
import dataclasses, json
from core.backup import table_counts
from core.events import chains_version
from ledger import periods
from ledger.sections import ledger_build
from places.models import Place
place = Place.objects.get(kind="subdistrict")
ledger = {str(public): [dataclasses.asdict(b) for b in ledger_build(place, periods.year(2021), public=public)]
          for public in (True, False)}
print(json.dumps({"tables": table_counts(), "head": chains_version(), "ledger": ledger}, ensure_ascii=False,
                 default=str))
"""


def site(folder: Path, database_url: str = "") -> dict:
    """The environment of a site with its own VAR_DIR (SQLite file, huey's queue, media) or PostgreSQL database."""
    (folder / "static").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in OWN}
    env.update(VAR_DIR=str(folder), BACKUP_DIR=str(folder / "backups"))
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def probe(env: dict) -> dict:
    return json.loads(ok(manage(env, "shell", "-c", PROBE)).strip().splitlines()[-1])


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tables_in(sqlite_file: Path) -> list[str]:
    with sqlite3.connect(sqlite_file) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def backed_up(env: dict) -> Path:
    """Back the site up; the backup's path, read from what the command printed."""
    out = ok(manage(env, "backup"))
    path = next(Path(env["BACKUP_DIR"]).glob("minsheng-*.tar.gz"))
    assert str(path) in out and Path(f"{path}.sha256").is_file()
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo loaded into a fresh SQLite file and media folder, backed up; what it held, read before."""
    env = site(tmp_path_factory.mktemp("backup") / "demo")
    ok(manage(env, "migrate", "-v0"))
    ok(manage(env, "load_demo"))
    return {"env": env, "backup": backed_up(env), "before": probe(env),
            "media": files(Path(env["VAR_DIR"]) / "media")}


def test_it_restores_the_demo_into_an_empty_database_and_media_folder(demo, tmp_path):
    assert demo["media"], "the demo stores evidence photos"
    env = site(tmp_path / "restored")
    out = ok(manage(env, "restore", str(demo["backup"])))
    assert f"{len(demo['before']['tables'])} tables have the manifest's row counts" in out
    assert "The event chain is intact" in out
    after = probe(env)
    assert after["tables"] == demo["before"]["tables"]
    assert after["head"] == demo["before"]["head"]
    assert after["ledger"] == demo["before"]["ledger"]
    assert files(tmp_path / "restored" / "media") == demo["media"]


def test_the_manifest_describes_the_copy(demo):
    with tarfile.open(demo["backup"]) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        names = tar.getnames()
    assert (manifest["format"], manifest["version"], manifest["engine"]) == ("minsheng-backup", 1, "sqlite")
    assert manifest["tables"] == demo["before"]["tables"] and manifest["events_version"] == demo["before"]["head"]
    assert "core.0001_initial" in manifest["migrations"] and manifest["created_at"]
    assert names[-1] == MANIFEST and set(names[:-1]) == set(manifest["members"])
    assert {n.removeprefix("media/"): m["sha256"] for n, m in manifest["members"].items()
            if n.startswith("media/")} == demo["media"]
    assert demo["backup"].name in Path(f"{demo['backup']}.sha256").read_text()


def assert_nothing_restored(env: dict):
    var = Path(env["VAR_DIR"])
    assert not (var / "minsheng.sqlite3").exists() or tables_in(var / "minsheng.sqlite3") == []
    assert not (var / "media").exists() or files(var / "media") == {}


def test_it_refuses_a_corrupt_file(demo, tmp_path):
    corrupt = tmp_path / demo["backup"].name
    shutil.copy(demo["backup"], corrupt)
    shutil.copy(f"{demo['backup']}.sha256", f"{corrupt}.sha256")
    data = bytearray(corrupt.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(data)
    env = site(tmp_path / "target")
    result = manage(env, "restore", str(corrupt))
    assert result.returncode != 0
    assert "does not match its SHA-256 checksum" in result.stderr and "校验值不符" in result.stderr
    assert_nothing_restored(env)


def test_it_refuses_a_file_changed_inside_with_a_new_checksum(demo, tmp_path):
    """Whoever rewrites the .sha256 after changing a photo is still caught by the manifest's checksums."""
    changed = tmp_path / demo["backup"].name
    with tarfile.open(demo["backup"]) as source, tarfile.open(changed, "w:gz") as target:
        victim = next(m.name for m in source if m.name.startswith("media/"))
        for member in source:
            body = source.extractfile(member).read()
            if member.name == victim:
                body = body[:-1] + bytes([body[-1] ^ 1])
            target.addfile(member, io.BytesIO(body))
    Path(f"{changed}.sha256").write_text(f"{hashlib.sha256(changed.read_bytes()).hexdigest()}  {changed.name}\n")
    env = site(tmp_path / "target")
    result = manage(env, "restore", str(changed))
    assert result.returncode != 0
    assert "do not match its manifest" in result.stderr and victim in result.stderr
    assert_nothing_restored(env)


def test_it_refuses_a_backup_without_its_checksum(demo, tmp_path):
    alone = tmp_path / demo["backup"].name
    shutil.copy(demo["backup"], alone)
    env = site(tmp_path / "target")
    result = manage(env, "restore", str(alone))
    assert result.returncode != 0 and f"No checksum file {alone.name}.sha256" in result.stderr
    assert_nothing_restored(env)


def test_it_refuses_a_database_that_is_not_empty_unless_forced(demo, tmp_path):
    var = tmp_path / "busy"
    env = site(var)
    with sqlite3.connect(var / "minsheng.sqlite3") as db:
        db.execute("CREATE TABLE stray (x)")
        db.execute("INSERT INTO stray VALUES (1)")
    result = manage(env, "restore", str(demo["backup"]))
    assert result.returncode != 0
    assert "is not empty (1 tables)" in result.stderr and "--force" in result.stderr
    assert tables_in(var / "minsheng.sqlite3") == ["stray"]

    ok(manage(env, "restore", "--force", str(demo["backup"])))
    assert "stray" not in tables_in(var / "minsheng.sqlite3")
    assert probe(env)["tables"] == demo["before"]["tables"]


def test_it_refuses_a_media_folder_that_is_not_empty_unless_forced(demo, tmp_path):
    var = tmp_path / "busy"
    env = site(var)
    (var / "media").mkdir()
    (var / "media" / "kept.txt").write_bytes(b"an upload of another site")
    result = manage(env, "restore", str(demo["backup"]))
    assert result.returncode != 0 and "media folder" in result.stderr and "--force" in result.stderr
    assert tables_in(var / "minsheng.sqlite3") == [] and files(var / "media").keys() == {"kept.txt"}

    ok(manage(env, "restore", "--force", str(demo["backup"])))
    kept = hashlib.sha256(b"an upload of another site").hexdigest()
    assert files(var / "media") == {**demo["media"], "kept.txt": kept}  # the backup's added, others left


@pytest.fixture
def postgres_databases():
    """Two fresh PostgreSQL databases (made and dropped here) beside the test database, as URLs."""
    import psycopg

    db = connection.settings_dict
    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
              "password": db["PASSWORD"] or None}
    names = [f"minsheng_backup_{os.getpid()}_{which}" for which in ("source", "restored")]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        user = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        at = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        yield [f"postgres://{user}@{at}/{name}" for name in names]
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DATABASE_URL is not PostgreSQL")
def test_it_restores_the_demo_on_postgresql(postgres_databases, tmp_path):
    source_url, restored_url = postgres_databases
    source = site(tmp_path / "source", source_url)
    ok(manage(source, "migrate", "-v0"))
    ok(manage(source, "load_demo"))
    before = probe(source)
    backup = backed_up(source)
    with tarfile.open(backup) as tar:
        assert "database.pgdump" in tar.getnames()

    refused = manage(source, "restore", str(backup))
    assert refused.returncode != 0 and "--force" in refused.stderr

    restored = site(tmp_path / "restored", restored_url)
    out = ok(manage(restored, "restore", str(backup)))
    assert f"{len(before['tables'])} tables have the manifest's row counts" in out
    after = probe(restored)
    assert (after["tables"], after["head"], after["ledger"]) == (before["tables"], before["head"], before["ledger"])
    assert files(tmp_path / "restored" / "media") == files(tmp_path / "source" / "media")

    ok(manage(restored, "restore", "--force", str(backup)))  # over itself: every table dropped first
    assert probe(restored)["tables"] == before["tables"]


@pytest.mark.django_db(transaction=True)  # a backup reads committed data, in a snapshot of its own
def test_the_nightly_backup_keeps_the_newest(tree, settings, tmp_path):
    settings.BACKUP_DIR, settings.BACKUP_KEEP, settings.MEDIA_ROOT = tmp_path, 2, tmp_path / "media"
    (tmp_path / "media" / "needs").mkdir(parents=True)
    (tmp_path / "media" / "needs" / "photo.jpg").write_bytes(b"jpeg")
    old = [tmp_path / f"minsheng-2020010{day}-030000.tar.gz" for day in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"old")
        Path(f"{path}.sha256").write_text("x")
    (tmp_path / "notes.txt").write_text("not a backup")

    backup_nightly.call_local()

    backups = sorted(tmp_path.glob("minsheng-*.tar.gz"))
    assert len(backups) == 2 and backups[0] == old[-1]
    assert sorted(p.name for p in tmp_path.glob("*.sha256")) == [f"{b.name}.sha256" for b in backups]
    assert (tmp_path / "notes.txt").exists()
    with tarfile.open(backups[1]) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["places_place"] == Place.objects.count() == 11
    assert manifest["events_version"] == chains_version()
    assert "media/needs/photo.jpg" in manifest["members"]


def test_pruning_keeps_the_newest_by_the_time_in_their_names(tmp_path):
    names = ["minsheng-20261130-030000.tar.gz", "minsheng-20261201-030000.tar.gz", "minsheng-20261129-030000.tar.gz"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in backups_prune(1, tmp_path)] == sorted(names)[:2]
    assert [p.name for p in tmp_path.iterdir()] == ["minsheng-20261201-030000.tar.gz"]


def test_the_nightly_backup_is_due_at_backup_hour_local_time(settings):
    settings.BACKUP_HOUR, settings.BACKUP_ENABLED = 3, True
    utc = datetime.datetime  # huey hands the time in UTC, naive
    assert backup_due(utc(2026, 12, 1, 19, 0))  # 03:00 in Asia/Shanghai
    assert not backup_due(utc(2026, 12, 1, 19, 1))
    assert not backup_due(utc(2026, 12, 1, 3, 0))
    settings.BACKUP_ENABLED = False
    assert not backup_due(utc(2026, 12, 1, 19, 0))
