"""Replaying a record type's events against its rows (`manage.py verify_events --state`): the one walk that every
app's replay (needs/replay.py, offers/replay.py, mediation/replay.py, volunteering/replay.py) hands its own rules.

The events of one subject type are read in one streaming query in the order of their index (subject type, subject
id, id) and the rows in one more, ordered by their id as text so that both come in the same order: the two are
merged like sorted lists, so memory holds one record's events at a time, whatever the number of records.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from core.events import Mismatch
from core.models import Event

CHUNK = 5000
# The two sides of a record found on one side only (a row written or deleted under the services' feet).
ROW, NO_ROW = "有记录 / a row", "没有记录 / no row"
EVENTS, NO_EVENTS = "有事件 / events", "没有事件 / no events"

# A record's replay: its events as (verb, at, data), oldest first → {field: value} of every field the events
# determine (a field left out is not compared: older events may not carry what it needs).
Replay = Callable[[list[tuple[str, datetime.datetime, dict]]], dict]


def state_compare(subject_type: str, rows: QuerySet, fields: Iterable[str], replay: Replay) -> Iterator[Mismatch]:
    """Yield a Mismatch for each field of each row that differs from its events' replay; a row without events, or
    events without a row, is one Mismatch too (field "events" or "row")."""
    fields = list(fields)
    events = Event.objects.filter(subject_type=subject_type).order_by("subject_id", "id").values_list(
        "subject_id", "verb", "at", "data").iterator(chunk_size=CHUNK)
    by_subject = ((key, [(verb, at, data) for _key, verb, at, data in group])
                  for key, group in groupby(events, key=lambda event: event[0]))
    values = rows.annotate(key_text=Cast("pk", CharField())).order_by("key_text").values_list(
        "key_text", *fields).iterator(chunk_size=CHUNK)
    subject = next(by_subject, None)
    row = next(values, None)
    while subject is not None or row is not None:
        # Both come ordered by the id's text: the smaller key is the one the other side lacks.
        if row is None or (subject is not None and subject[0] < row[0]):
            yield Mismatch(subject_type, subject[0], "row", NO_ROW, EVENTS)
            subject = next(by_subject, None)
        elif subject is None or row[0] < subject[0]:
            yield Mismatch(subject_type, row[0], "events", ROW, NO_EVENTS)
            row = next(values, None)
        else:
            replayed = replay(subject[1])
            for field, value in zip(fields, row[1:], strict=True):
                if field in replayed and replayed[field] != value:
                    yield Mismatch(subject_type, row[0], field, value, replayed[field])
            subject, row = next(by_subject, None), next(values, None)


UNKNOWN = object()  # a field an older event did not carry: not compared until a later event sets it again

# What one action writes to the replayed fields: (the record's fields so far, the event's time, its data, the state
# before), changing the fields in place.
Effect = Callable[[dict, datetime.datetime, dict, str], None]


def lifecycle_replay(events, *, prefix: str, next_state: Callable[[str, str], str | None], start: dict,
                     effects: dict[str, Effect], every: Effect | None = None) -> dict:
    """Replay a record's `<prefix><action>` events with its app's transition table (`next_state`) from `start` (the
    fields of a record not yet saved, "state" among them) and each action's effect; other verbs about the record
    are skipped. An action the table does not allow from the state reached stops the replay: the state then says so,
    and nothing else is compared."""
    record = dict(start)
    for verb, at, data in events:
        action = verb.removeprefix(prefix)
        if action == verb:
            continue
        after = next_state(record["state"], action)
        if after is None:
            return {"state": f"{action} from {record['state'] or 'new'}: not in the transition table"}
        if every is not None:
            every(record, at, data, record["state"])
        if effect := effects.get(action):
            effect(record, at, data, record["state"])
        record["state"] = after
    return {field: value for field, value in record.items() if value is not UNKNOWN}


def moment(text: str | None) -> datetime.datetime | None:
    """A time an event's data carries (ISO text, as event_append stores it) back as a datetime."""
    return datetime.datetime.fromisoformat(text) if text else None
