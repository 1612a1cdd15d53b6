"""The synthetic city is what the services would have written: its chains verify, each event is in its subject's
chain, every need's events are legal transitions that end in the need's state, and needs replayed through
`need_act` come out the same, in the same chains."""

import dataclasses
import json
from collections import Counter, defaultdict

import pytest
from django.contrib.auth.models import User
from django.forms.models import model_to_dict

from bench.city import PROFILES, City
from core.events import CITY_CHAIN, LEGACY_CHAIN, events_verify
from core.models import Chain, Event, InboxLine
from needs import workflow
from needs.models import Need, NeedReporter, ProgressNote
from needs.services import need_act
from places.models import Place, chain_of


def generate(needs=300, published=5):
    return City(PROFILES["small"], seed=7, needs=needs, published=published, log=lambda *a: None).generate()


def need_events() -> dict[int, list[Event]]:
    events = defaultdict(list)
    for event in Event.objects.filter(subject_type="needs.need").order_by("id"):
        events[int(event.subject_id)].append(event)
    return events


@pytest.mark.django_db
def test_it_writes_a_valid_chain_and_legal_lifecycles():
    counts = generate()
    checked, broken = events_verify()
    assert broken is None
    assert checked == counts["events"] == Event.objects.count()
    events = need_events()
    needs = {n.pk: n for n in Need.objects.select_related("place")}
    assert len(needs) == counts["needs"] == 305
    for pk, need in needs.items():
        history = events[pk]
        assert history[0].verb == "need.submit" and history[0].data["from"] is None
        assert history[0].data["place"] == need.place.code
        state = ""
        for event in history:
            action = event.verb.removeprefix("need.")
            assert (event.data["from"] or "") == state
            assert workflow.next_state(state, action) == event.data["to"], (pk, state, action)
            state = event.data["to"]
        assert state == need.state
    # Counts by state add up, and the history holds every kind of ending and open state.
    by_state = Counter(n.state for n in needs.values())
    assert by_state == Counter(events[pk][-1].data["to"] for pk in needs)
    assert {"closed", "rejected", "published"} <= set(by_state)
    verbs = Counter(e.verb for history in events.values() for e in history)
    assert {"need.claim", "need.dispatch", "need.resolve", "need.rate", "need.follow_up"} <= set(verbs)


@pytest.mark.django_db
def test_each_event_is_in_its_subjects_chain():
    generate()
    places = {str(p.pk): p for p in Place.objects.all()}
    need_places = {str(n.pk): n.place for n in Need.objects.select_related("place")}
    expected = {"places.place": places, "needs.need": need_places}
    origin = Chain.objects.get(name=LEGACY_CHAIN).head
    seqs = defaultdict(list)
    for event in Event.objects.order_by("id"):
        placed = expected.get(event.subject_type, {}).get(event.subject_id)
        assert event.chain == (chain_of(placed) if placed else CITY_CHAIN), (event.verb, event.subject_id)
        seqs[event.chain].append(event)
    subdistricts = sorted(Place.objects.filter(kind="subdistrict").values_list("code", flat=True))
    assert len(subdistricts) == 2 and sorted(seqs) == sorted([CITY_CHAIN, *subdistricts])
    for name, chain in seqs.items():
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert chain[0].prev_hash == origin
        row = Chain.objects.get(name=name)
        assert (row.origin, row.length, row.head) == (origin, len(chain), chain[-1].hash)
        assert len({int(e.subject_id) for e in chain if e.subject_type == "needs.need"}) > 50 or name == CITY_CHAIN


def replay_fields(need: Need, event: Event) -> dict:
    """The fields a page or the API would have passed to need_act for this event."""
    action, data = event.verb.removeprefix("need."), event.data
    if action == "submit":
        fields = {"title": need.title, "description": need.description, "place": need.place,
                  "channel": data["channel"], "reporter": need.reporter, "show_name": need.show_name,
                  "is_public": need.is_public, "affected": need.affected}
        # Accepting sets both again; before that they are what was given at submission. (What was given
        # to a need accepted later changes only its accept_due, and every policy here gives 2 hours.)
        if need.state in ("submitted", "rejected", "merged"):
            fields.update(category=need.category, concern_level=need.concern_level)
        return fields
    if action == "accept":
        return {"category": need.category, "concern_level": data["concern_level"]}
    if action == "dispatch":
        return {"organisation": data["organisation"], "person": data["person"]}
    if action == "resolve":
        return {"note": data["note"], "evidence": data["evidence"]}
    if action == "rate":
        return {"rating": data["rating"], "comment": data["comment"]}
    if action == "follow_up":
        return {"rating": data["rating"], "note": data["note"]}
    return {"note": data["note"]} if "note" in data else {}


# Committed action by action, as a page or the API commits them: in one test transaction every event would go to
# the chain of its first (core.events: one transaction, one chain).
@pytest.mark.django_db(transaction=True)
def test_it_writes_what_need_act_writes():
    generate()
    merged_into = set(NeedReporter.objects.values_list("need_id", flat=True)) | set(
        Need.objects.exclude(merged_into=None).values_list("merged_into_id", flat=True))
    events = need_events()
    # One need for each distinct path through the workflow (merges aside: their target's pk differs).
    samples = {}
    for pk, history in sorted(events.items()):
        path = tuple(e.verb for e in history)
        if pk not in merged_into and "need.merge" not in path:
            samples.setdefault(path, pk)
    assert len(samples) >= 8
    skip = {"id", "updated_at"}
    for path, pk in samples.items():
        original = Need.objects.select_related("place", "category", "reporter", "recorded_by").get(pk=pk)
        copy = None
        for event in events[pk]:
            action = event.verb.removeprefix("need.")
            fields = replay_fields(original, event)
            copy = need_act(actor=User.objects.get(pk=event.actor_id), need=copy, action=action, at=event.at,
                            **fields)
        copy.refresh_from_db()
        assert {k: v for k, v in model_to_dict(copy).items() if k not in skip} == {
            k: v for k, v in model_to_dict(original).items() if k not in skip}, path
        replayed = list(Event.objects.filter(subject_type="needs.need", subject_id=str(copy.pk)).order_by("id"))
        assert [(e.chain, e.verb, e.actor_id, e.at, e.data) for e in replayed] == [
            (e.chain, e.verb, e.actor_id, e.at, e.data) for e in events[pk]], path
        assert notices(copy) == notices(original), path
        assert notes(copy) == notes(original), path
    assert events_verify()[1] is None


def notices(need):
    lines = InboxLine.objects.filter(subject=f"needs.need:{need.pk}")
    return Counter(lines.values_list("user_id", "verb", "text", "at"))


def notes(need):
    return list(ProgressNote.objects.filter(need=need).values_list("author_id", "action", "text", "at"))


def rollup_rows():
    from ledger.models import Contribution, HolderTally, Tally

    def rows(model):
        return Counter(tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in r)
                       for r in model.objects.values_list(*[
                           f.attname for f in model._meta.local_concrete_fields if f.attname != "id"]))

    return rows(Tally), rows(HolderTally), rows(Contribution)


# Committed, as on PostgreSQL the shares are processes of their own, each with its own connection.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("jobs", [1, 2])
def test_its_rollups_are_what_the_ledger_rebuilds(jobs):
    """The generator counts each need into the ledger's roll-ups as it writes it (in shares of the subdistricts
    with jobs > 1, their rows above a subdistrict summed): the same rows as the ledger's own rebuild."""
    from ledger.rollups import rebuild

    counts = City(PROFILES["small"], seed=7, needs=300, published=5, log=lambda *a: None).generate(jobs=jobs)
    assert counts["jobs"] == jobs
    generated = rollup_rows()
    assert sum(generated[0].values()) > 100
    rebuild()
    assert rollup_rows() == generated
    assert events_verify()[1] is None
    assert len(set(Need.objects.values_list("id", flat=True))) == counts["needs"]


@pytest.mark.django_db
def test_the_needs_left_on_the_board_are_in_the_first_two_subdistricts():
    """The fixtures race claims within the first subdistrict's chain and across the first two: the needs left
    published at the end are theirs, however many subdistricts the city has."""
    three = dataclasses.replace(PROFILES["small"], subdistricts=3)
    City(three, seed=7, needs=60, published=40, log=lambda *a: None).generate()
    first_two = sorted(Place.objects.filter(kind="subdistrict").values_list("code", flat=True))[:2]
    assert len(first_two) == 2 and Place.objects.filter(kind="subdistrict").count() == 3
    left = Need.objects.order_by("-id")[:40].select_related("place")
    assert {need.state for need in left} == {"published"}
    assert {need.place.code[:len(first_two[0])] for need in left} == set(first_two)
