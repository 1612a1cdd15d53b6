"""Fast writes for the synthetic city: rows go straight into the tables, in the shape Django itself stores
them — `executemany` on SQLite, `COPY … FROM STDIN` on PostgreSQL — and the event log is hash-chained per
chain as `core.events.event_append` chains it (`event_leaf`, `chain_link`), with the chains' rows kept.

Rows are dicts keyed by field attname (`place_id`, not `place`); a field left out takes its model default.
Primary keys are handed out here, so the caller can refer to a row before it is written; sinks writing the same
tables at once (bench.city's workers, one per share of the subdistricts) take every `stride`-th id from the same
`bases`, each from its own `offset`.
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


def id_bases(models_) -> dict[type, int]:
    """The first free id of each table, read once for sinks that share the tables."""
    bases = {}
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")
            bases[model] = (cursor.fetchone()[0] or 0) + 1
    return bases


class Sink:
    def __init__(self, *, bases: dict[type, int] | None = None, stride: int = 1, offset: int = 0):
        self.vendor = connection.vendor
        self.buffers: dict[tuple[type, str], list[tuple]] = {}
        self.plans: dict[type, tuple[list[str], list, list]] = {}
        self.next_ids: dict[type, int] = {}
        self.bases, self.stride, self.offset = bases or {}, stride, offset
        self.written: dict[str, int] = {}

    def next_id(self, model) -> int:
        if model not in self.next_ids:
            self.next_ids[model] = (self.bases.get(model) or id_bases([model])[model]) + self.offset
        pk = self.next_ids[model]
        self.next_ids[model] = pk + self.stride
        return pk

    def _plan(self, model):
        if model not in self.plans:
            fields = [f for f in model._meta.local_concrete_fields]
            # A callable default (a need's random reference) is called for each row, as Django does.
            defaults = [f.default if f.has_default() and callable(f.default)
                        else f.get_default() if f.has_default() or f.null else _REQUIRED for f in fields]
            calls = [(i, d) for i, d in enumerate(defaults) if callable(d)]
            converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, self.vendor)) is not _same]
            self.plans[model] = ([f.column for f in fields], [f.attname for f in fields], defaults, calls,
                                 converters, model._meta.pk.attname)
        return self.plans[model]

    def add(self, model, row: dict, *, table: str = "") -> int:
        """Buffer one row; returns its primary key (given in `row["id"]`, or the next free one). `table`: another
        table of the same columns (bench.city's shared roll-up rows)."""
        _columns, attnames, defaults, calls, converters, pk = self._plan(model)
        if pk not in row:
            row[pk] = self.next_id(model)
        values = list(map(row.get, attnames, defaults))  # the row's value, else the field's default
        for i, default in calls:
            if values[i] is default:
                values[i] = default()
        if _REQUIRED in values:
            missing = attnames[values.index(_REQUIRED)]
            raise ValueError(f"{model.__name__}.{missing} is required")
        for i, convert in converters:
            if values[i] is not None:
                values[i] = convert(values[i])
        key = (model, table or model._meta.db_table)
        buffer = self.buffers.setdefault(key, [])
        buffer.append(values)
        if len(buffer) >= FLUSH_ROWS:
            self.flush(key)
        return row[pk]

    def flush(self, key=None):
        for m, table in [key] if key else list(self.buffers):
            rows = self.buffers.get((m, table))
            if not rows:
                continue
            columns = self._plan(m)[0]
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

    def finish(self, models_=None):
        """Write what is left, then move PostgreSQL's id sequences past the ids handed out (here, or by every sink
        of `models_`) and gather the planner's statistics (a live database has them, tables filled in one go do
        not yet)."""
        self.flush()
        models_ = list(self.plans) if models_ is None else models_
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                    cursor.execute(sql)
            for model in models_:
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
        self.touched: set[str] = set()

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
        self.touched.add(chain)
        self.count += 1

    def finish(self):
        """Write the row of each chain appended to: created with the origin it began at, or moved to its new
        length and head."""
        for name in sorted(self.touched):
            length, head = self.heads[name]
            core_models.Chain.objects.update_or_create(
                name=name, defaults={"length": length, "head": head}, create_defaults={
                    "origin": self.origin, "length": length, "head": head})
