"""Backups: the database and the uploaded files in one archive, and their restore, verified.

A backup is one file, `minsheng-<YYYYmmdd-HHMMSS>.tar.gz`, with `<file>.sha256` beside it (the whole file's
SHA-256 as `sha256sum` writes it, so `sha256sum -c` checks it too). Inside:

- `database.sqlite3` (SQLite: a copy through the online backup API) or `database.pgdump` (PostgreSQL:
  `pg_dump`, custom format, --no-owner): a consistent copy taken while the app runs;
- `media/…`: every file under MEDIA_ROOT (the uploaded photos);
- `manifest.json`, last: format and version, engine, Django version, the applied migrations, every table's
  row count and the event chain's head — read in the same snapshot as the copy, so they describe exactly
  what it holds — the time it was made, and each member's size and SHA-256.

A restore checks the whole file against its `.sha256` and goes only into an empty database and media folder
(unless forced) before it unpacks anything; it checks each member against the manifest before it writes.
`manage.py restore` then checks the event chain and every table's row count against the manifest.

Not in a backup: huey's queue (work in flight) and roster files awaiting confirmation (VAR_DIR/imports).
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.events import chains_version

FORMAT = "minsheng-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PATTERN = "minsheng-*.tar.gz"  # the names backup_create gives in BACKUP_DIR; the time in them sorts them
CHUNK = 1 << 20


class BackupRefused(Exception):
    """A restore that would be wrong, or a backup that cannot be made; the message says why, Chinese first."""


def table_counts() -> dict[str, int]:
    """Every table in the database with its number of rows."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t"):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def counts_differing(expected: dict[str, int]) -> list[tuple[str, int | None, int | None]]:
    """The tables whose row count is not the one `expected` (a manifest's): (table, expected, found)."""
    found = table_counts()
    return [(table, expected.get(table), found.get(table)) for table in sorted(set(expected) | set(found))
            if expected.get(table) != found.get(table)]


def migrations_pending() -> int:
    """How many of the code's migrations the database has not applied (a restored older backup)."""
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# --- Backing up ---------------------------------------------------------------------------------------------

def backup_create(output: Path | str | None = None) -> tuple[Path, dict]:
    """Write one backup to `output` (default a new file in BACKUP_DIR); return its path and its manifest."""
    engine = connection.vendor
    if engine not in DUMPS:
        raise BackupRefused(f"不支持备份 {engine} 数据库。Backups of {engine} databases are not supported.")
    output = Path(output or Path(settings.BACKUP_DIR) / f"minsheng-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        dump = Path(work) / DUMPS[engine]
        with _snapshot() as snapshot:
            _dump(dump, snapshot)
            manifest = {
                "format": FORMAT, "version": VERSION, "engine": engine, "django": django.get_version(),
                "created_at": timezone.localtime().isoformat(timespec="seconds"),
                "migrations": sorted(f"{app}.{name}" for app, name in
                                     MigrationRecorder(connection).applied_migrations()),
                "tables": table_counts(), "events_version": chains_version(), "members": {},
            }
        # The files after the snapshot: a photo is stored before the row that names it commits, so every photo
        # the copy names is here (one uploaded meanwhile is here too, named by nothing yet).
        partial = output.with_name(f"{output.name}.partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            manifest["members"][dump.name] = _add(tar, dump, dump.name)
            media = Path(settings.MEDIA_ROOT)
            for path in sorted(media.rglob("*")) if media.is_dir() else ():
                if path.is_file():
                    name = f"{MEDIA}/{path.relative_to(media).as_posix()}"
                    manifest["members"][name] = _add(tar, path, name)
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(time.time())
            tar.addfile(info, io.BytesIO(body))
        partial.replace(output)
    Path(f"{output}.sha256").write_text(f"{_file_sha256(output)}  {output.name}\n", encoding="utf-8")
    return output, manifest


@contextlib.contextmanager
def _snapshot():
    """One consistent view of the database, held while the copy is taken and the manifest read; writers go on
    meanwhile. Yields PostgreSQL's exported snapshot for pg_dump, None on SQLite."""
    if connection.in_atomic_block:
        raise RuntimeError("a backup reads a snapshot of its own: take it outside any transaction")
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            yield cursor.fetchone()[0]
        return
    # SQLite in WAL mode: a deferred transaction takes no write lock; its first read fixes the snapshot that
    # every later read on the connection sees, the online backup API's included.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        cursor.execute("SELECT COUNT(*) FROM sqlite_master")
    try:
        yield None
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def _dump(target: Path, snapshot: str | None) -> None:
    if snapshot is None:
        with contextlib.closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return
    # Uncompressed: the archive compresses it once.
    _pg("pg_dump", "--format=custom", "--compress=0", "--no-owner", f"--snapshot={snapshot}", f"--file={target}")


def _pg(program: str, *args: str) -> None:
    """Run a PostgreSQL client on the database in use; the password goes in the environment, not the arguments."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    try:
        result = subprocess.run([program, f"--dbname={db['NAME']}", *args], env=env, capture_output=True,
                                text=True)
    except FileNotFoundError:
        raise BackupRefused(f"找不到 {program}（PostgreSQL 客户端）。{program} (PostgreSQL's client) is not "
                            f"installed.") from None
    if result.returncode:
        raise BackupRefused(f"{program} 失败。{program} failed: {result.stderr.strip()}")


class _Hashing:
    """A file read through: the SHA-256 of what was read."""

    def __init__(self, file):
        self.file, self.sha256 = file, hashlib.sha256()

    def read(self, size=-1):
        chunk = self.file.read(size)
        self.sha256.update(chunk)
        return chunk


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    info = tar.gettarinfo(path, arcname=name)
    with open(path, "rb") as file:
        reader = _Hashing(file)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def _file_sha256(path: Path) -> str:
    sha256 = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()


def backups_prune(keep: int, folder: Path | str | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups in `folder` (default BACKUP_DIR), each with its checksum; return
    the deleted. Only the names backup_create gives are touched."""
    backups = sorted(Path(folder or settings.BACKUP_DIR).glob(PATTERN))
    old = backups[:-keep] if keep > 0 else backups
    for path in old:
        path.unlink()
        Path(f"{path}.sha256").unlink(missing_ok=True)
    return old


# --- Restoring ----------------------------------------------------------------------------------------------

def backup_restore(path: Path | str, *, force: bool = False) -> dict:
    """Restore the backup at `path` into the database and MEDIA_ROOT in use; return its manifest.

    Refuses (BackupRefused, nothing written) a file that fails its checksum, a backup of another engine or
    format, and — unless `force` — a database that has any table or a media folder that has any file. Forced,
    the database is replaced whole; files in MEDIA_ROOT of the same name as the backup's are replaced, others
    are left. Stop the web and huey processes first."""
    path = Path(path)
    _check_sha256(path)
    _check_empty(force)
    with tempfile.TemporaryDirectory(prefix="minsheng-restore-") as work:
        work = Path(work)
        manifest = _unpack(path, work)
        if manifest.get("engine") != connection.vendor:
            raise BackupRefused(
                f"这是 {manifest.get('engine')} 数据库的备份，不能恢复到 {connection.vendor} 数据库。"
                f"This is a backup of a {manifest.get('engine')} database; it cannot go into {connection.vendor}.")
        _restore_database(work / DUMPS[connection.vendor], force)
        if (work / MEDIA).is_dir():
            shutil.copytree(work / MEDIA, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return manifest


def _check_sha256(path: Path) -> None:
    checksum = Path(f"{path}.sha256")
    if not path.is_file():
        raise BackupRefused(f"没有备份文件 {path}。No backup file {path}.")
    if not checksum.is_file():
        raise BackupRefused(
            f"没有校验文件 {checksum.name}：请把它和备份放在同一目录。未恢复任何数据。"
            f"No checksum file {checksum.name} beside the backup: copy it there too. Nothing was restored.")
    expected = (checksum.read_text(encoding="utf-8").split() or [""])[0].lower()
    if _file_sha256(path) != expected:
        raise BackupRefused(
            f"备份文件 {path.name} 与其 SHA-256 校验值不符：文件已损坏或被改动。未恢复任何数据。"
            f"The backup {path.name} does not match its SHA-256 checksum: it is corrupt or was changed. "
            f"Nothing was restored.")


def _check_empty(force: bool) -> None:
    if force:
        return
    tables = connection.introspection.table_names()
    if tables:
        raise BackupRefused(
            f"数据库 {connection.settings_dict['NAME']} 不是空的（{len(tables)} 张表），恢复会替换其中的全部数据。"
            f"确要替换，请加 --force。The database {connection.settings_dict['NAME']} is not empty "
            f"({len(tables)} tables): a restore would replace all of its data. Add --force to replace it.")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        raise BackupRefused(
            f"上传文件目录 {media} 不是空的。确要恢复到这里（同名文件被替换），请加 --force。"
            f"The media folder {media} is not empty. Add --force to restore into it (files of the same "
            f"name are replaced).")


def _unpack(path: Path, work: Path) -> dict:
    """Unpack every member into `work`, checking each against the manifest; return the manifest."""
    found, manifest = {}, None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                parts = PurePosixPath(member.name).parts
                if not member.isfile() or not parts or parts[0] == "/" or ".." in parts:
                    raise BackupRefused(f"备份中有不应有的条目 {member.name!r}。未恢复任何数据。"
                                        f"The backup holds an unexpected entry {member.name!r}. Nothing was restored.")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(source.read())
                    continue
                target = work.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                sha256 = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        sha256.update(chunk)
                        out.write(chunk)
                found[member.name] = {"size": member.size, "sha256": sha256.hexdigest()}
    except (tarfile.TarError, EOFError, zlib.error, ValueError) as error:  # ValueError: JSON too
        raise BackupRefused(f"无法读取备份 {path.name}。The backup {path.name} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupRefused(f"{path.name} 不是本系统可读的备份（需要 {FORMAT} 第 {VERSION} 版）。"
                            f"{path.name} is not a backup this version reads ({FORMAT} version {VERSION}).")
    listed = manifest.get("members") or {}
    differing = sorted(name for name in set(found) | set(listed) if found.get(name) != listed.get(name))
    if differing:
        raise BackupRefused(
            f"备份中的文件与清单不符：{', '.join(differing[:5])}。未恢复任何数据。"
            f"Files in the backup do not match its manifest: {', '.join(differing[:5])}. Nothing was restored.")
    return manifest


def _restore_database(dump: Path, force: bool) -> None:
    if connection.vendor == "sqlite":
        # The backup API in reverse rather than a file copy: it replaces the whole database, its WAL included.
        connection.close()
        with contextlib.closing(sqlite3.connect(dump)) as source, \
                contextlib.closing(sqlite3.connect(connection.settings_dict["NAME"], timeout=20)) as target:
            source.backup(target)
        return
    if force:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()
    _pg("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(dump))
