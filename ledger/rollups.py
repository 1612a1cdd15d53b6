"""Keeping the ledger's roll-ups (ledger.models) exact, and reading them for a scope and a period.

`need_changed(need, action)` runs inside needs.services.need_act's transaction after every action (on the
signal needs.signals.need_changed, subscribed in ledger.apps): it works out what the need adds to the
roll-ups now (`contribution`), compares it with what it added before (kept in `Contribution`), and applies
the difference as increments in one upsert per table (`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`).
Nothing is read and written back in Python, and rows are written in key order, so concurrent actions on other
needs add up exactly (on PostgreSQL too, where two transactions then lock shared rows in the same order).

`rebuild()` (`manage.py ledger_rebuild`) computes every roll-up from the needs and their events: after a
bulk load that bypassed need_act (the benchmark's synthetic city), or to check them.

The definitions the contribution encodes are those of ledger.selectors (the module's docstring).
"""

import datetime
from collections import defaultdict
from functools import reduce
from itertools import chain
from operator import or_

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ledger.models import HOLDER_COUNTERS, TALLY_COUNTERS, Contribution, Deed, HolderTally, Tally
from ledger.periods import Period
from needs import workflow
from needs.models import Level, Need, Rating
from places.models import PLACE_RULES, PlaceKind

# The places a ledger is kept for: from the city down to the grid (a need placed in a compound, building or
# entrance counts in its grid and above; the ledger never names a building).
SCOPE_KINDS = (PlaceKind.CITY, PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.GRID)
SCOPE_LENGTHS = [PLACE_RULES[kind][1] for kind in SCOPE_KINDS]  # code lengths, shortest first
# Code lengths: a need's community and grid are prefixes of its place's code.
COMMUNITY_CODE, GRID_CODE = PLACE_RULES[PlaceKind.COMMUNITY][1], PLACE_RULES[PlaceKind.GRID][1]


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(timezone.get_default_timezone()).date()


def is_found(need: Need) -> bool:
    return need.accepted_at is not None and need.state not in workflow.TURNED_AWAY


def contribution(need: Need, *, reopened: bool, collaborators=()) -> dict | None:
    """What the need adds to the roll-ups as it stands (JSON, as `Contribution.data` keeps it), or None.

    `reopened`: it was reopened at least once (a `need.reopen` event); `collaborators`: the ids of its
    collaborating units. Each flag is the condition of the figure of the same name in ledger.selectors."""
    if need.state in workflow.TURNED_AWAY:
        if need.closed_at is None:
            return {"reopened": True} if reopened else None
        day, counts, holders = local_day(need.closed_at), {need.state: 1}, []
    elif need.accepted_at is not None:
        claimed, resolved = need.state in workflow.EVER_CLAIMED, need.state in workflow.DONE
        counts = {
            "found": 1, "claimed": claimed, "resolved": resolved,
            "on_time": resolved and need.resolved_on_time is True,
            "responded": claimed and (need.claim_due is None or (
                need.claimed_at is not None and need.claimed_at <= need.claim_due)),
            "rated": need.rating in Rating.values,
            "escalated": need.level in (Level.SUBDISTRICT, Level.DEPARTMENT),
            "overdue": need.overdue,
            **{f"rating_{grade}": need.rating == grade for grade in Rating.values},
            "reopened": reopened, "affected": need.affected, "deeds": resolved and need.is_public,
        }
        counts = {k: int(v) for k, v in counts.items() if v}
        day = local_day(need.accepted_at)
        holders = defaultdict(lambda: [0, 0, 0])
        if claimed and (need.lead_organisation_id or need.lead_person_id):
            lead = holders[(need.lead_organisation_id or 0, need.lead_person_id or 0)]
            lead[0], lead[1] = 1, int(resolved)
        for organisation in collaborators:
            holders[(organisation, 0)][2] = 1
        holders = sorted([*key, *values] for key, values in holders.items())
    else:
        return {"reopened": True} if reopened else None
    data = {"reopened": reopened, "code": need.place.code, "day": day.isoformat(),
            "category": need.category_id or 0, "channel": need.channel, "concern_level": need.concern_level,
            "counts": counts, "holders": holders}
    if counts.get("resolved"):
        data["resolved_at"] = need.resolved_at.isoformat()
    return data


def deed_fields(data: dict) -> dict:
    """The columns the deeds list is paged from (Contribution)."""
    counts = data.get("counts", {})
    deed = Deed.PUBLIC if counts.get("deeds") else Deed.PRIVATE if counts.get("resolved") else Deed.NONE
    if not deed:
        return {"deed": deed, "code": "", "day": None, "resolved_at": None}
    return {"deed": deed, "code": data["code"], "day": datetime.date.fromisoformat(data["day"]),
            "resolved_at": datetime.datetime.fromisoformat(data["resolved_at"])}


def _cells(data: dict | None, *, below=()):
    """The roll-up rows a contribution adds to: every place from its grid up it lies in (by code) × (its
    day, its month).

    `below`: code lengths deeper than the need's own place at which it is counted under its own code, as
    a breakdown "by grid" (Substr of the code) shows a need placed on a community: by the community."""
    if not data or "code" not in data:
        return
    day = datetime.date.fromisoformat(data["day"])
    code = data["code"]
    for length in SCOPE_LENGTHS:
        if length <= len(code) or length in below:
            for grain, start in (("d", day), ("m", day.replace(day=1))):
                yield code[:length], length, grain, start


BREAKDOWN_LEVELS = (COMMUNITY_CODE, GRID_CODE)  # ledger.builders.breakdowns_section


def _add(tallies, holders, data: dict | None, sign: int):
    if not data or "code" not in data:
        return
    detail = (data["category"], data["channel"], data["concern_level"])
    for code, length, grain, start in _cells(data, below=BREAKDOWN_LEVELS):
        for key in ((code, length, grain, start, 1, 0, "", ""), (code, length, grain, start, 0, *detail)):
            row = tallies[key]
            for name, n in data["counts"].items():
                row[name] += sign * n
    for code, length, grain, start in _cells(data):
        for organisation, person, *values in data["holders"]:
            row = holders[(code, length, grain, start, organisation, person)]
            for name, n in zip(HOLDER_COUNTERS, values, strict=True):
                row[name] += sign * n


TALLY_KEY = ("code", "level", "grain", "day", "total", "category", "channel", "concern_level")
HOLDER_KEY = ("code", "level", "grain", "day", "organisation", "person")


ONE_STATEMENT = 100  # rows: an action changes a few dozen, a rebuild hundreds of thousands


def _upsert(model, key_fields, counters, rows: dict):
    """Add each row's counts to the stored row of the same key (created at zero), in key order."""
    rows = {key: counts for key, counts in rows.items() if any(counts.values())}
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    unique = next(c for c in model._meta.constraints).fields
    columns = (*key_fields, *counters)
    insert = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES "
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = (f" ON CONFLICT ({', '.join(qn(c) for c in unique)}) DO UPDATE SET "
                + ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in counters))
    adapt_day = connection.ops.adapt_datefield_value
    params = [(code, level, grain, adapt_day(day), *rest, *(counts.get(c, 0) for c in counters))
              for (code, level, grain, day, *rest), counts in sorted(rows.items())]
    with connection.cursor() as cursor:
        if len(params) <= ONE_STATEMENT:  # an action's rows: one statement, one round trip
            cursor.execute(insert + ", ".join([row] * len(params)) + conflict, list(chain.from_iterable(params)))
        else:  # a rebuild's: one row's statement, parsed once and run for each (psycopg pipelines them)
            cursor.executemany(insert + row + conflict, params)


def _apply(changes: list[tuple[dict | None, int]], tally=Tally, holder_tally=HolderTally):
    tallies, holders = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    for data, sign in changes:
        _add(tallies, holders, data, sign)
    _upsert(tally, TALLY_KEY, TALLY_COUNTERS, tallies)
    _upsert(holder_tally, HOLDER_KEY, HOLDER_COUNTERS, holders)


def _refresh(need: Need, *, reopened: bool = False):
    stored = Contribution.objects.filter(need_id=need.pk).values_list("data", flat=True).first()
    reopened = reopened or bool(stored and stored["reopened"])
    collaborators = list(need.collaborators.values_list("pk", flat=True)) if is_found(need) else []
    new = contribution(need, reopened=reopened, collaborators=collaborators)
    if new == stored:
        return
    _apply([(stored, -1), (new, +1)])
    if stored is None:
        Contribution.objects.create(need_id=need.pk, data=new, **deed_fields(new))
    elif new is None:
        Contribution.objects.filter(need_id=need.pk).delete()
    else:
        Contribution.objects.filter(need_id=need.pk).update(data=new, **deed_fields(new))


def need_changed(need: Need, action: str) -> None:
    """After `action` changed `need` (inside need_act's transaction): bring the roll-ups up to date."""
    if action == "submit":
        return  # a need just submitted is not accepted yet: it counts nowhere (and has no contribution to read)
    _refresh(need, reopened=action == "reopen")
    if action == "merge" and need.merged_into_id:
        _refresh(need.merged_into)  # the need it joined now counts its people affected too


def need_action_receiver(sender, *, need: Need, action: str, **kwargs) -> None:
    need_changed(need, action)


@transaction.atomic
def rebuild(*, apps=global_apps, chunk: int = 2000) -> int:
    """Every roll-up computed afresh from the needs and the log; returns the number of needs read.

    Call it after writing needs in bulk without need_act (bench.city does). `apps`: the models of a data
    migration (ledger/migrations), else the current ones."""
    need_model, event = apps.get_model("needs", "Need"), apps.get_model("core", "Event")
    tally, holder_tally = apps.get_model("ledger", "Tally"), apps.get_model("ledger", "HolderTally")
    fact = apps.get_model("ledger", "Contribution")
    for model in (tally, holder_tally, fact):
        model.objects.all().delete()
    reopened = {int(pk) for pk in event.objects.filter(subject_type="needs.need", verb="need.reopen")
                .values_list("subject_id", flat=True)}
    counted, batch = 0, []

    def flush():
        collaborators = defaultdict(list)
        for need_id, organisation_id in need_model.collaborators.through.objects.filter(
                need__in=[n.pk for n in batch]).values_list("need_id", "organisation_id"):
            collaborators[need_id].append(organisation_id)
        facts = [(n.pk, contribution(n, reopened=n.pk in reopened, collaborators=sorted(collaborators[n.pk])))
                 for n in batch]
        _apply([(data, +1) for _pk, data in facts], tally, holder_tally)
        fact.objects.bulk_create([fact(need_id=pk, data=data, **deed_fields(data)) for pk, data in facts if data])
        return len(facts)

    for need in need_model.objects.select_related("place").order_by("pk").iterator(chunk_size=chunk):
        batch.append(need)
        if len(batch) == chunk:
            counted += flush()
            batch = []
    if batch:
        counted += flush()
    with connection.cursor() as cursor:  # the planner's statistics of the new rows (PostgreSQL and SQLite)
        for model in (tally, holder_tally, fact):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return counted


# --- Reading: the rows of a scope for a period --------------------------------------------------------

def spans(period: Period) -> list[tuple[str, datetime.date, datetime.date]]:
    """The rows that cover the period exactly once, as (grain, first day, day after): the months it holds
    whole, and the days left over before and after them."""
    start, after = period.start, period.end + datetime.timedelta(days=1)
    first_whole = start if start.day == 1 else (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    after_whole = after.replace(day=1)
    if first_whole >= after_whole:
        return [("d", start, after)]
    return [(grain, a, b) for grain, a, b in (("d", start, first_whole), ("m", first_whole, after_whole),
                                             ("d", after_whole, after)) if a < b]


def period_q(period: Period, *conditions: Q, **fields) -> Q:
    """The rows of the period that meet the conditions: an OR of whole index lookups (each term repeats the
    conditions), which SQLite and PostgreSQL both serve from the index one range at a time."""
    return reduce(or_, (Q(*conditions, grain=grain, day__gte=a, day__lt=b, **fields) for grain, a, b in spans(period)))
