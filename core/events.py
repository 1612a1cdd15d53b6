"""Appending to and verifying the hash-chained event log, and the vocabulary of its verbs.

Every verb an event may carry is declared by the module that writes it (`verbs_declare`, at import), and
event_append refuses any other, so `VERBS` is the complete list. Stored verbs keep their names (the hash
covers them), which leaves three conventions: `<noun>_<verb>` after the service that writes it
(`place_create`), `need.<action>` for the needs workflow, and `<model>_create|change|delete` for admin
screens without a service (core.admin_services).

The log is several chains (core.models.Chain): a subdistrict's holds the events of the records placed in it (a
subject names its chain by an `events_chain` attribute: places.models.chain_of), the city's the rest, so appends
in different subdistricts never wait for each other. All events of one transaction go to the chain of its first,
so a transaction holds one chain's lock and two cannot deadlock on them. The `legacy` chain is every event from
before the split, hashed the old way (`event_hash_v1`); the others hash an event as a leaf and a link
(`event_leaf`, `chain_link`), so that a proof of one event's place in a chain (core.proofs) shows the
later events' digests, never their actors or data — nor a digest of them that could be guessed (`salt`).
"""

import dataclasses
import datetime
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from core.models import Chain, Event

GENESIS = "0" * 64
LEGACY_CHAIN = "legacy"
CITY_CHAIN = "city"


VERBS: dict[str, str] = {}  # verb → what an event of it records

# Sent by event_append inside the writer's transaction, after the event is stored (event, subject): how an app above
# hears of every change without each app defining its own signal (interop's webhooks).
event_appended = Signal()


def verbs_declare(verbs: dict[str, str]) -> dict[str, str]:
    VERBS.update(verbs)
    return verbs


def digest(value) -> str:
    """SHA-256 of a value's canonical JSON (keys sorted, no spaces, UTF-8): the form every hash here is taken of."""
    body = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def event_hash_v1(*, prev_hash: str, at, actor_id, verb, subject_type, subject_id, data) -> str:
    """The hash of an event of the legacy chain."""
    return digest([prev_hash, at.isoformat(), actor_id, verb, subject_type, str(subject_id), data])


def event_leaf(*, at, actor_id, verb, subject_type, subject_id, data, salt: str) -> str:
    """An event's own digest: when, what and to which record in the open, who and the details under their own
    digest (`private`), so a proof can show an event's place in the chain without its actor or data."""
    return digest([at.isoformat(), verb, subject_type, str(subject_id),
                   event_private(salt=salt, actor_id=actor_id, data=data)])


def event_private(*, salt: str, actor_id, data) -> str:
    return digest([salt, actor_id, data])


def event_salt() -> str:
    return secrets.token_hex(16)


def chain_link(prev_hash: str, leaf: str) -> str:
    """The hash of an event: the previous event's hash and its own leaf, as bytes."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + bytes.fromhex(leaf)).hexdigest()


def event_hash(event: Event, prev_hash: str) -> str:
    """What the event's hash should be, after `prev_hash`, by its chain's rule."""
    fields = {"at": event.at, "actor_id": event.actor_id, "verb": event.verb, "subject_type": event.subject_type,
              "subject_id": event.subject_id, "data": event.data}
    if event.chain == LEGACY_CHAIN:
        return event_hash_v1(prev_hash=prev_hash, **fields)
    return chain_link(prev_hash, event_leaf(**fields, salt=event.salt))


def event_time(at=None) -> datetime.datetime:
    """When a write happens (now, or the `at` the demo and imports give), in UTC: the event's hash covers the ISO
    text of its time and the database hands it back in UTC, so services take their `at` from here too."""
    return (at or timezone.now()).astimezone(datetime.UTC)


def event_append(*, actor, verb: str, subject, data: dict | None = None, at=None) -> Event:
    """Append one event about `subject` (a model instance) inside the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "events are written inside the service's transaction"
    if verb not in VERBS:
        raise ValueError(f"undeclared event verb {verb!r}: declare it with core.events.verbs_declare")
    at = event_time(at)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    subject_type = subject._meta.label_lower
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    salt = event_salt()
    leaf = event_leaf(at=at, actor_id=actor_id, verb=verb, subject_type=subject_type, subject_id=subject.pk,
                      data=data, salt=salt)
    chain = _transaction_chain(getattr(subject, "events_chain", CITY_CHAIN))
    length, prev_hash = chain_lock(chain)
    event = Event.objects.create(
        chain=chain, seq=length + 1, at=at, actor_id=actor_id, verb=verb, subject_type=subject_type,
        subject_id=str(subject.pk), data=data, salt=salt, prev_hash=prev_hash, hash=chain_link(prev_hash, leaf))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Chain._meta.db_table} SET length = %s, head = %s WHERE name = %s",
                       [event.seq, event.hash, chain])
    event_appended.send(sender=Event, event=event, subject=subject)
    return event


def chain_lock(name: str) -> tuple[int, str]:
    """Lock the chain's row to the end of the transaction (a new chain begins where the legacy one ends) and return
    its length and head. On SQLite the IMMEDIATE transaction already holds the write lock. Plain SQL: it runs on
    every write, inside the lock others wait for."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = f"SELECT length, head FROM {Chain._meta.db_table} WHERE name = %s{lock}"
    with connection.cursor() as cursor:
        cursor.execute(select, [name])
        row = cursor.fetchone()
        if row is None:
            origin = chains_origin()
            Chain.objects.bulk_create([Chain(name=name, origin=origin, head=origin)], ignore_conflicts=True)
            cursor.execute(select, [name])
            row = cursor.fetchone()
    return row[0], row[1]


def chains_origin() -> str:
    """Where every chain but the legacy one begins: the legacy chain's last hash."""
    return Chain.objects.filter(name=LEGACY_CHAIN).values_list("head", flat=True).first() or GENESIS


def _transaction_chain(chain: str) -> str:
    """The chain of the transaction's first event. Its marker is an on-commit hook: Django drops the hooks of a
    rolled-back transaction (or savepoint), so a marker still among them belongs to the transaction running now.
    Looked for where it was put first (a transaction can hold thousands of hooks: an import, the demo)."""
    connection = transaction.get_connection()
    held = getattr(connection, "events_chain_held", None)
    if held is not None:
        name, marker, index = held
        hooks = connection.run_on_commit
        if index < len(hooks) and hooks[index][1] is marker:
            return name
        for index, (_sids, hook, _robust) in enumerate(hooks):
            if hook is marker:
                connection.events_chain_held = (name, marker, index)
                return name

    def marker():
        connection.events_chain_held = None

    transaction.on_commit(marker)
    connection.events_chain_held = (chain, marker, len(connection.run_on_commit) - 1)
    return chain


def chains_version(*, under: str = "") -> str:
    """A digest of the heads of the chains named under `under` (a place code's subdistrict prefix: '' for every
    chain) and the city's: every domain write appends an event, so this changes whenever the data of records placed
    there (or of the city's own) does — a version for caches of derived figures, like a scope's ledger."""
    chains = Chain.objects.filter(Q(name__startswith=under) | Q(name=CITY_CHAIN)) if under else Chain.objects.all()
    return digest(list(chains.order_by("name").values_list("name", "length", "head")))


@dataclasses.dataclass
class Break:
    """Where a chain stops matching: its name, the position, the event found there (None when missing) and why."""
    chain: str
    seq: int
    event: Event | None
    reason: str  # "changed", "missing", "truncated", "length" (more than its row says), "origin", "checkpoint"

    @property
    def pk(self):
        return self.event.pk if self.event else None


def events_verify(checkpoint: dict | None = None) -> tuple[int, Break | None]:
    """Walk every chain in order from its origin; return (events checked, the first break or None). With a
    checkpoint (core.checkpoints.checkpoint_public, already checked against its signature), each chain it names
    must reach its length with its head there: a rewrite with every later hash recomputed, or a cut-off end, no
    longer matches the copy published."""
    checked = 0
    legacy_head = chains_origin()
    published = {c["name"]: c for c in (checkpoint or {}).get("chains", [])}
    rows = {row.name: row for row in Chain.objects.all()}
    for name in sorted(set(rows) | set(published)):
        row = rows.get(name)
        origin = GENESIS if name == LEGACY_CHAIN else legacy_head
        if name in published and published[name]["origin"] != origin:
            return checked, Break(name, 0, None, "origin")
        count, broken = _chain_verify(name, origin, published.get(name))
        checked += count
        if broken is None and row is not None and row.length != count:
            broken = Break(name, min(count, row.length) + 1, None, "truncated" if count < row.length else "length")
        if broken is not None:
            return checked, broken
    return checked, None


def _chain_verify(name: str, origin: str, published: dict | None) -> tuple[int, Break | None]:
    prev_hash, seq = origin, 0
    for event in Event.objects.filter(chain=name).order_by("seq").iterator(chunk_size=2000):
        seq += 1
        if event.seq != seq:
            return seq - 1, Break(name, seq, None, "missing")
        if event.prev_hash != prev_hash or event.hash != event_hash(event, prev_hash):
            return seq - 1, Break(name, seq, event, "changed")
        if published and seq == published["length"] and event.hash != published["head"]:
            return seq - 1, Break(name, seq, event, "checkpoint")
        prev_hash = event.hash
    if published and seq < published["length"]:
        return seq, Break(name, seq + 1, None, "truncated")
    return seq, None


# --- State checked against events (`manage.py verify_events --state`) -------------------------------------------

@dataclasses.dataclass
class Mismatch:
    """A record whose row differs from what replaying its events gives: which field, the row's value, the events'."""
    subject_type: str
    subject_id: str
    field: str
    row: object
    replayed: object


STATE_CHECKS: dict[str, Callable[[], Iterable[Mismatch]]] = {}  # subject type → its replay over every record


def state_check_register(subject_type: str, check: Callable[[], Iterable[Mismatch]]) -> None:
    """An app's replay of its workflow's events (in its AppConfig.ready): yields a Mismatch per differing field."""
    STATE_CHECKS[subject_type] = check
