"""Fast writes for the synthetic city: rows go straight into the tables, in the shape Django itself stores
them — `executemany` on SQLite, `COPY … FROM STDIN` on PostgreSQL — and the event log is hash-chained per
chain as `core.events.event_append` chains it (`event_leaf`, `chain_link`), with the chains' rows kept.

Rows are dicts keyed by field attname (`place_id`, not `place`); a field left out takes its model default.
Primary keys are handed out here, so the caller can refer to a row before it is written.
"""

import datetime
import decimal
import json

from django.core.management.color import no_style
from django.db import connection, models

from core import models as core_models
from core.events import GENESIS, LEGACY_CHAIN, chain_link, event_leaf, event_salt
from core.models import Event

FLUSH_ROWS = 20_000


class Sink:
    def __init__(self):
        self.vendor = connection.vendor
        self.buffers: dict[type, list[tuple]] = {}
        self.plans: dict[type, tuple[list[str], list, list]] = {}
        self.next_ids: dict[type, int] = {}
        self.written: dict[str, int] = {}

    def next_id(self, model) -> int:
        if model not in self.next_ids:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")
                self.next_ids[model] = (cursor.fetchone()[0] or 0) + 1
        pk = self.next_ids[model]
        self.next_ids[model] = pk + 1
        return pk

    def _plan(self, model):
        if model not in self.plans:
            fields = [f for f in model._meta.local_concrete_fields]
            # A callable default (a need's random reference) is called for each row, as Django does.
            defaults = [f.default if f.has_default() and callable(f.default)
                        else f.get_default() if f.has_default() or f.null else _REQUIRED for f in fields]
            self.plans[model] = ([f.column for f in fields], [f.attname for f in fields],
                                 defaults, [_converter(f, self.vendor) for f in fields])
        return self.plans[model]

    def add(self, model, row: dict) -> int:
        """Buffer one row; returns its primary key (given in `row["id"]`, or the next free one)."""
        _columns, attnames, defaults, converters = self._plan(model)
        if "id" not in row:
            row["id"] = self.next_id(model)
        values = []
        for attname, default, convert in zip(attnames, defaults, converters, strict=True):
            value = row[attname] if attname in row else default() if callable(default) else default
            if value is _REQUIRED:
                raise ValueError(f"{model.__name__}.{attname} is required")
            values.append(convert(value) if value is not None else None)
        buffer = self.buffers.setdefault(model, [])
        buffer.append(tuple(values))
        if len(buffer) >= FLUSH_ROWS:
            self.flush(model)
        return row["id"]

    def flush(self, model=None):
        for m in [model] if model else list(self.buffers):
            rows = self.buffers.get(m)
            if not rows:
                continue
            columns = self._plan(m)[0]
            table = m._meta.db_table
            with connection.cursor() as cursor:
                if self.vendor == "postgresql":
                    quoted = ", ".join(f'"{c}"' for c in columns)
                    with cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(columns))
                    cursor.cursor.executemany(
                        f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)
            self.written[table] = self.written.get(table, 0) + len(rows)
            rows.clear()

    def finish(self):
        """Write what is left and move PostgreSQL's id sequences past the ids handed out here."""
        self.flush()
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                for sql in connection.ops.sequence_reset_sql(no_style(), list(self.plans)):
                    cursor.execute(sql)
            # Statistics for the planner: a live database has them, tables filled in one go do not yet.
            for model in self.plans:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')


_REQUIRED = object()


def _converter(field, vendor):
    """Python value → what the database driver takes, as Django's own field adapters would store it."""
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False)
    if vendor == "postgresql":
        return _same
    if isinstance(field, models.DateTimeField):
        return lambda v: v.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(field, models.DateField):
        return lambda v: v.isoformat()
    if isinstance(field, models.DecimalField):
        return lambda v: str(decimal.Decimal(v))
    if isinstance(field, models.BooleanField):
        return int
    return _same


def _same(value):
    return value


class Chain:
    """The event log: each event appended to the chain it names (its subject's, places.models.chain_of), numbered
    and linked to the previous event of that chain; a chain that has no event yet begins at the legacy chain's
    head, as core.events.chain_lock begins it. `finish` writes the chains' rows (length and head)."""

    def __init__(self, sink: Sink):
        self.sink = sink
        rows = core_models.Chain.objects.values_list("name", "length", "head")
        self.heads: dict[str, tuple[int, str]] = {name: (length, head) for name, length, head in rows}
        self.origin = self.heads.get(LEGACY_CHAIN, (0, GENESIS))[1]
        self.count = 0

    def append(self, *, chain: str, at: datetime.datetime, actor_id, verb: str, subject_type: str, subject_id,
               data: dict):
        at = at.astimezone(datetime.UTC)
        length, prev_hash = self.heads.get(chain, (0, self.origin))
        salt = event_salt()
        leaf = event_leaf(at=at, actor_id=actor_id, verb=verb, subject_type=subject_type, subject_id=subject_id,
                          data=data, salt=salt)
        digest = chain_link(prev_hash, leaf)
        self.sink.add(Event, {"chain": chain, "seq": length + 1, "at": at, "actor_id": actor_id, "verb": verb,
                              "subject_type": subject_type, "subject_id": str(subject_id), "data": data,
                              "salt": salt, "prev_hash": prev_hash, "hash": digest})
        self.heads[chain] = (length + 1, digest)
        self.count += 1

    def finish(self):
        """Write each chain's row: created with the origin it began at, or moved to its new length and head."""
        for name, (length, head) in self.heads.items():
            core_models.Chain.objects.update_or_create(
                name=name, defaults={"length": length, "head": head}, create_defaults={
                    "origin": self.origin, "length": length, "head": head})
