"""The cost of appending one event, now and before the chains were split: `python -m bench.append` (against the
city the run generated) prints microseconds per event.

*now* is `core.events.event_append` on a place of the first subdistrict (its chain's row locked, the event numbered
and linked, the row moved). *before* is the append of commit b0cfa1a, copied below as it was: the one global chain,
a PostgreSQL advisory lock held to the commit, the head read as the newest event by id, the v1 hash. Each is timed
in a transaction of one event (what a service does: the lock taken each time) and in one of 1,000 events (an
import's); every transaction is rolled back, so the figures leave the commit out (and the database as it was).

*race* is what the split is for: RACERS processes each committing one event per transaction for RACE_SECONDS, all on
places of one subdistrict (one chain), then half on each of two (two chains): appends per second. A chain's lock is
held through the commit, so one chain's throughput is bounded by its commits in a row; two chains commit side by
side (on PostgreSQL: SQLite has one writer, so there the two are the same)."""

import multiprocessing
import os
import statistics
import time

ONE, MANY, ROUNDS = 400, 1000, 3
RACERS, RACE_SECONDS = 8, 4
_PG_CHAIN_LOCK = 7_420_001  # b0cfa1a's advisory lock key


def append_before(*, actor, verb, subject, data, seq):
    """b0cfa1a's event_append (less the checks of a verb and a transaction), into a chain of its own name (`before`:
    the events need a chain and a position now, and are rolled back)."""
    import json

    from django.db import connection

    from core.events import GENESIS, event_appended, event_hash_v1, event_time
    from core.models import Event

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
    prev_hash = Event.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    at = event_time()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    subject_type = subject._meta.label_lower
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    event = Event.objects.create(
        chain="before", seq=seq, at=at, actor_id=actor_id, verb=verb, subject_type=subject_type,
        subject_id=str(subject.pk), data=data, prev_hash=prev_hash,
        hash=event_hash_v1(prev_hash=prev_hash, at=at, actor_id=actor_id, verb=verb, subject_type=subject_type,
                           subject_id=subject.pk, data=data))
    event_appended.send(sender=Event, event=event, subject=subject)
    return event


def _racer(i, place, actor, start, counts):
    """One racing process (forked: its own connection, as a web worker has)."""
    from django.db import connection, transaction

    from core.events import event_append

    connection.close()  # the parent's, inherited by the fork: never shared
    start.wait()
    stop, count = time.monotonic() + RACE_SECONDS, 0
    while time.monotonic() < stop:
        with transaction.atomic():
            event_append(actor=actor, verb="place_update", subject=place, data={"race": i})
        count += 1
    counts[i] = count
    connection.close()


def race(places, actor) -> float:
    """Committed appends per second by RACERS processes (threads would share one interpreter's lock), process i
    appending to places[i % len(places)]."""
    from django.db import connection

    connection.close()
    fork = multiprocessing.get_context("fork")
    start, counts = fork.Barrier(RACERS), fork.Array("i", RACERS)
    racers = [fork.Process(target=_racer, args=(i, places[i % len(places)], actor, start, counts))
              for i in range(RACERS)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    return sum(counts) / RACE_SECONDS


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import transaction

    from core.events import event_append
    from places.models import Place

    actor = User.objects.get(username="bench-root")
    place = Place.objects.filter(kind="grid").order_by("code").first()
    seqs = iter(range(1, 10**9))
    ways = {"now": lambda i: event_append(actor=actor, verb="place_update", subject=place, data={"households": i}),
            "before": lambda i: append_before(actor=actor, verb="place_update", subject=place,
                                              data={"households": i}, seq=next(seqs))}
    figures = {}
    for _round in range(ROUNDS):  # alternating, as the machine's speed drifts
        for name, append in ways.items():
            one = []
            for i in range(ONE):
                with transaction.atomic():
                    started = time.perf_counter()
                    append(i)
                    one.append(time.perf_counter() - started)
                    transaction.set_rollback(True)
            with transaction.atomic():
                started = time.perf_counter()
                for i in range(MANY):
                    append(i)
                many = (time.perf_counter() - started) / MANY
                transaction.set_rollback(True)
            figures.setdefault(f"{name}_one_us", []).append(statistics.median(one) * 1e6)
            figures.setdefault(f"{name}_many_us", []).append(many * 1e6)
    subdistricts = list(Place.objects.filter(kind="subdistrict").order_by("code")[:2])
    a, b = (Place.objects.filter(kind="grid", code__startswith=s.code).order_by("code").first() for s in subdistricts)
    for _round in range(2):
        figures.setdefault("race_one_per_s", []).append(race([a], actor))
        figures.setdefault("race_two_per_s", []).append(race([a, b], actor))
    print(" ".join(f"{key}={statistics.median(values):.0f}" for key, values in figures.items()))


if __name__ == "__main__":
    main()
