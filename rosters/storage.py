"""The uploaded file and each row's outcome, kept under VAR_DIR/imports between preview and confirmation.

The outcome of a check is two JSON-lines files — rows with errors, and the others — so that a preview of
100,000 rows is paginated (errors first) by seeking to a recorded byte offset instead of holding the rows
in memory or in the database. Files hold personal data, so they are deleted once the import is done or
cancelled (the error report's rows are kept until then) and swept after a day.
"""

import hashlib
import json
import time
from pathlib import Path

from django.conf import settings

PAGE_ROWS = 50
KEEP_SECONDS = 24 * 3600
KINDS = ("errors", "rows")


def directory() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(roster_import) -> Path:
    return directory() / f"{roster_import.pk}.xlsx"


def outcome_path(roster_import, kind: str) -> Path:
    return directory() / f"{roster_import.pk}.{kind}.jsonl"


def save_upload(uploaded, roster_import) -> str:
    """Copy the upload next to its outcome; return its SHA-256."""
    digest = hashlib.sha256()
    with open(upload_path(roster_import), "wb") as out:
        for piece in uploaded.chunks():
            digest.update(piece)
            out.write(piece)
    return digest.hexdigest()


class Outcome:
    """Receives checked rows one by one and writes them out, noting where each page starts."""

    def __init__(self, roster_import):
        self.files = {kind: open(outcome_path(roster_import, kind), "wb") for kind in KINDS}  # noqa: SIM115
        self.lines = dict.fromkeys(KINDS, 0)
        self.pages: dict[str, list[int]] = {kind: [] for kind in KINDS}

    def add(self, row) -> None:
        kind = "errors" if row.errors else "rows"
        out = self.files[kind]
        if self.lines[kind] % PAGE_ROWS == 0:
            self.pages[kind].append(out.tell())
        self.lines[kind] += 1
        out.write(json.dumps({"n": row.number, "v": row.values, "a": row.action, "e": row.errors},
                             ensure_ascii=False).encode() + b"\n")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for out in self.files.values():
            out.close()


class OutcomeRows:
    """The checked rows as a read-only sequence, errors first, for django's Paginator."""

    def __init__(self, roster_import, kinds=KINDS):
        self.roster_import = roster_import
        counts = roster_import.counts
        self.sizes = {"errors": counts.get("error", 0), "rows": counts.get("total", 0) - counts.get("error", 0)}
        self.kinds = kinds
        for kind in KINDS:
            if kind not in kinds:
                self.sizes[kind] = 0

    def __len__(self):
        return sum(self.sizes.values())

    def __getitem__(self, index: slice) -> list[dict]:
        start, stop = index.start or 0, min(index.stop or len(self), len(self))
        found = []
        for kind in self.kinds:
            if start < stop and start < self.sizes[kind]:
                found += self._read(kind, start, min(stop, self.sizes[kind]) - start)
            start, stop = max(0, start - self.sizes[kind]), stop - self.sizes[kind]
        return found

    def _read(self, kind: str, first: int, n: int) -> list[dict]:
        offsets = self.roster_import.pages.get(kind, [])
        page, skip = divmod(first, PAGE_ROWS)
        rows = []
        path = outcome_path(self.roster_import, kind)
        if not path.exists():   # swept after a day
            return rows
        with open(path, "rb") as f:
            f.seek(offsets[page])
            for _ in range(skip):
                f.readline()
            for _ in range(n):
                rows.append(json.loads(f.readline()))
        return rows


def error_rows(roster_import):
    """Every row with errors, in file order, for the error report."""
    path = outcome_path(roster_import, "errors")
    if not path.exists():
        return
    with open(path, "rb") as f:
        for line in f:
            yield json.loads(line)


def discard(roster_import, *, keep_errors: bool = False) -> None:
    upload_path(roster_import).unlink(missing_ok=True)
    outcome_path(roster_import, "rows").unlink(missing_ok=True)
    if not keep_errors:
        outcome_path(roster_import, "errors").unlink(missing_ok=True)


def sweep() -> None:
    """Delete files of imports left unconfirmed (or reports left undownloaded) for more than a day."""
    cutoff = time.time() - KEEP_SECONDS
    for path in directory().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
