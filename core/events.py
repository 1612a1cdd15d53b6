"""Appending to and verifying the hash-chained event log, and the vocabulary of its verbs.

Every verb an event may carry is declared by the module that writes it (`verbs_declare`, at import), and
event_append refuses any other, so `VERBS` is the complete list. Stored verbs keep their names (the hash
covers them), which leaves three conventions: `<noun>_<verb>` after the service that writes it
(`place_create`), `need.<action>` for the needs workflow, and `<model>_create|change|delete` for admin
screens without a service (core.admin_services).
"""

import datetime
import hashlib
import json

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from core.models import Event

GENESIS = "0" * 64
_PG_CHAIN_LOCK = 7_420_001  # advisory lock key that serialises appends to the chain on PostgreSQL


VERBS: dict[str, str] = {}  # verb → what an event of it records

# Sent by event_append inside the writer's transaction, after the event is stored (event, subject): how an app above
# hears of every change without each app defining its own signal (interop's webhooks).
event_appended = Signal()


def verbs_declare(verbs: dict[str, str]) -> dict[str, str]:
    VERBS.update(verbs)
    return verbs


def event_hash(*, prev_hash: str, at, actor_id, verb, subject_type, subject_id, data) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), actor_id, verb, subject_type, str(subject_id), data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def event_time(at=None) -> datetime.datetime:
    """When a write happens (now, or the `at` the demo and imports give), in UTC: the event's hash covers the ISO
    text of its time and the database hands it back in UTC, so services take their `at` from here too."""
    return (at or timezone.now()).astimezone(datetime.UTC)


def event_append(*, actor, verb: str, subject, data: dict | None = None, at=None) -> Event:
    """Append one event about `subject` (a model instance) inside the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "events are written inside the service's transaction"
    if verb not in VERBS:
        raise ValueError(f"undeclared event verb {verb!r}: declare it with core.events.verbs_declare")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
    # On SQLite the IMMEDIATE transaction already holds the write lock, so the last hash cannot move.
    prev_hash = events_head()
    at = event_time(at)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    subject_type = subject._meta.label_lower
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    event = Event.objects.create(
        at=at, actor_id=actor_id, verb=verb, subject_type=subject_type, subject_id=str(subject.pk),
        data=data, prev_hash=prev_hash,
        hash=event_hash(prev_hash=prev_hash, at=at, actor_id=actor_id, verb=verb,
                        subject_type=subject_type, subject_id=subject.pk, data=data))
    event_appended.send(sender=Event, event=event, subject=subject)
    return event


def events_head() -> str:
    """The hash of the latest event: every domain write appends one in its own transaction, and the hash
    covers the whole chain, so this changes whenever data does and differs between databases — a version
    for caches of derived figures (the ledger)."""
    return Event.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


def events_verify() -> tuple[int, Event | None]:
    """Walk the chain in order; return (events checked, first broken event or None)."""
    prev_hash = GENESIS
    checked = 0
    for event in Event.objects.order_by("id").iterator(chunk_size=2000):
        expected = event_hash(prev_hash=prev_hash, at=event.at, actor_id=event.actor_id, verb=event.verb,
                              subject_type=event.subject_type, subject_id=event.subject_id, data=event.data)
        if event.prev_hash != prev_hash or event.hash != expected:
            return checked, event
        prev_hash = event.hash
        checked += 1
    return checked, None
