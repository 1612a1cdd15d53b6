"""A proof for a resident (docs/resident-proof.md): that a record's events are in its event chain under a signed
checkpoint, checked by core/proof_check.py (the standard library only) without trusting the server.

For each of the record's events the proof shows when, what and to which record, and the digest of who and the
details (`private`, core.events.event_private), never the actor or the data. Each event is proved against the first
checkpoint that covers it: a stretch (segment) of its chain from the hash before it through the leaf of every
later event (digests only) to the chain's length in that checkpoint, then the chain's Merkle path to the root the
checkpoint signs. Events of one record signed by the same checkpoint share a stretch; as a checkpoint is signed
every CHECKPOINT_EVERY_MINUTES, a stretch holds about that many minutes of its chain's events, however long the
record lived. Events no checkpoint covers yet are listed as pending.
"""

import bisect
import datetime

from django.conf import settings
from django.utils import timezone

from core.checkpoints import chain_leaf, checkpoint_public, merkle_path
from core.events import LEGACY_CHAIN, event_leaf, event_private
from core.models import Checkpoint, Event
from core.proof_check import FORMAT, VERSION
from core.tasks import checkpoint_due

FIELDS = ("chain", "seq", "at", "actor_id", "verb", "subject_type", "subject_id", "data", "salt", "prev_hash")


class _Checkpoints:
    """The checkpoints in order, read one at a time as a search needs them: a chain only grows, so the first
    checkpoint that covers an event is found by bisection over their numbers (one a CHECKPOINT_EVERY_MINUTES)."""

    def __init__(self):
        self.numbers = list(Checkpoint.objects.order_by("pk").values_list("pk", flat=True))
        self.read: dict[int, Checkpoint] = {}

    def get(self, number: int) -> Checkpoint:
        if number not in self.read:
            self.read[number] = Checkpoint.objects.get(pk=number)
        return self.read[number]

    def length(self, number: int, chain: str) -> int:
        return next((c["length"] for c in self.get(number).chains if c["name"] == chain), 0)

    def covering(self, chain: str, seq: int) -> Checkpoint | None:
        """The first checkpoint whose chain reaches the event at `seq`, or None."""
        index = bisect.bisect_left(self.numbers, True, key=lambda n: self.length(n, chain) >= seq)
        return self.get(self.numbers[index]) if index < len(self.numbers) else None


def _shown(event: tuple) -> dict:
    chain, seq, at, actor_id, verb, _type, _id, data, salt, _prev = event
    return {"chain": chain, "seq": seq, "at": at.isoformat(), "verb": verb,
            "private": event_private(salt=salt, actor_id=actor_id, data=data)}


def _leaf(event: tuple) -> str:
    _chain, _seq, at, actor_id, verb, subject_type, subject_id, data, salt, _prev = event
    return event_leaf(at=at, actor_id=actor_id, verb=verb, subject_type=subject_type, subject_id=subject_id,
                      data=data, salt=salt)


def _segment(chain: str, first: tuple, checkpoint: Checkpoint, ours: set[int]) -> dict:
    """The stretch of `chain` from the event `first` to its length in `checkpoint`: the record's events (`ours`,
    by position) as shown, every other event as its leaf."""
    names = [c["name"] for c in checkpoint.chains]
    index = names.index(chain)
    signed = checkpoint.chains[index]
    steps = []
    rows = Event.objects.filter(chain=chain, seq__gte=first[1], seq__lte=signed["length"]).order_by("seq")
    for event in rows.values_list(*FIELDS).iterator(chunk_size=2000):
        shown = _shown(event)
        steps.append({k: shown[k] for k in ("seq", "at", "verb", "private")} if event[1] in ours
                     else {"leaf": _leaf(event)})
    public = checkpoint_public(checkpoint)
    del public["chains"]  # the path stands for the other chains: the proof need not list the city's
    return {"chain": chain, "from_seq": first[1], "prev_hash": first[-1], "steps": steps, "signed_chain": signed,
            "merkle_path": merkle_path([chain_leaf(c) for c in checkpoint.chains], index), "checkpoint": public}


def subject_proof(subject_type: str, subject_id, *, verb_prefix: str = "") -> dict:
    """The proof of a record's events (those whose verb starts with `verb_prefix`): docs/resident-proof.md."""
    events = list(Event.objects.filter(subject_type=subject_type, subject_id=str(subject_id),
                                       verb__startswith=verb_prefix).order_by("chain", "seq").values_list(*FIELDS))
    checkpoints = _Checkpoints()
    segments, pending, groups = [], [], {}
    for event in events:
        if event[0] == LEGACY_CHAIN:
            continue
        checkpoint = checkpoints.covering(event[0], event[1])
        if checkpoint is None:
            pending.append(_shown(event))
        else:
            groups.setdefault((event[0], checkpoint.pk), []).append(event)
    for (chain, number), group in groups.items():
        segments.append(_segment(chain, group[0], checkpoints.get(number), {e[1] for e in group}))
    next_at = next_checkpoint_at(timezone.now()) if pending else None
    return {"format": FORMAT, "version": VERSION, "subject": {"type": subject_type, "id": str(subject_id)},
            "segments": segments, "pending": pending, "next_checkpoint_at": next_at and next_at.isoformat(),
            "legacy_events": sum(event[0] == LEGACY_CHAIN for event in events)}


def next_checkpoint_at(now: datetime.datetime) -> datetime.datetime | None:
    """When the huey consumer next signs the chains' heads (core.tasks.checkpoint_due, asked every minute); None
    when checkpoints are signed only on demand."""
    if not settings.CHECKPOINT_EVERY_MINUTES:
        return None
    minute = now.astimezone(datetime.UTC).replace(second=0, microsecond=0, tzinfo=None)
    for _minute in range(24 * 60):
        minute += datetime.timedelta(minutes=1)
        if checkpoint_due(minute):
            return minute.replace(tzinfo=datetime.UTC)
    return None
