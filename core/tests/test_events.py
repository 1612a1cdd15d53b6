"""The chains of the event log: each event linked to the one before in its chain; a change, a deletion, a cut-off
end and a rewrite with every later hash recomputed are each found (the last two against a signed checkpoint)."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.management import call_command
from django.core.management.base import CommandError

from core.checkpoints import checkpoint_make, checkpoint_public
from core.events import CITY_CHAIN, LEGACY_CHAIN, chain_link, event_hash, event_leaf, events_verify
from core.models import Chain, Event


@pytest.fixture
def signing(settings):
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings.CHECKPOINT_KEY = base64.b64encode(raw).decode()


def test_it_chains_every_event_to_the_one_before(tree):
    events = list(Event.objects.order_by("id"))
    assert len(events) == 11 and {e.chain for e in events} == {CITY_CHAIN}   # one transaction's: its first chain
    assert [e.seq for e in events] == list(range(1, 12))
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert events[0].prev_hash == Chain.objects.get(name=LEGACY_CHAIN).head
    assert Chain.objects.get(name=CITY_CHAIN).head == events[-1].hash
    assert events_verify() == (11, None)


def test_it_finds_the_first_tampered_event(tree, capsys):
    call_command("verify_events")
    assert "11" in capsys.readouterr().out
    victim = Event.objects.order_by("id")[4]
    Event.objects.filter(pk=victim.pk).update(data={"code": "620102010999", "kind": "community"})
    checked, broken = events_verify()
    assert (checked, broken.pk, broken.reason) == (4, victim.pk, "changed")
    with pytest.raises(CommandError, match=f"id={victim.pk}"):
        call_command("verify_events")


def test_it_finds_a_deleted_event(tree):
    victim = Event.objects.order_by("id")[6]
    Event.objects.filter(pk=victim.pk).delete()
    checked, broken = events_verify()
    assert (checked, broken.seq, broken.reason) == (6, 7, "missing")


def test_a_cut_off_end_is_found_by_the_chain_length_and_by_the_checkpoint(tree, signing):
    published = checkpoint_public(checkpoint_make())
    newest = Event.objects.order_by("-id")[:2]
    Event.objects.filter(pk__in=[e.pk for e in newest]).delete()
    assert events_verify()[1].reason == "truncated"
    # whoever cut the end off also sets the chain's row back: the published checkpoint still knows the length
    Chain.objects.filter(name=CITY_CHAIN).update(length=9, head=Event.objects.order_by("-id").first().hash)
    assert events_verify()[1] is None
    broken = events_verify(published)[1]
    assert (broken.chain, broken.seq, broken.reason) == (CITY_CHAIN, 10, "truncated")


def rewrite_from(position: int) -> None:
    """Edit the event at `position` of the city chain and recompute every later hash, and the chain's row."""
    events = list(Event.objects.filter(chain=CITY_CHAIN).order_by("seq"))
    prev_hash = events[position - 2].hash
    for event in events[position - 1:]:
        if event.seq == position:
            event.data = {**event.data, "name": "改过的名字"}
        event.prev_hash, event.hash = prev_hash, event_hash(event, prev_hash)
        Event.objects.filter(pk=event.pk).update(data=event.data, prev_hash=event.prev_hash, hash=event.hash)
        prev_hash = event.hash
    Chain.objects.filter(name=CITY_CHAIN).update(head=prev_hash)


def test_a_rewrite_with_every_later_hash_recomputed_is_found_only_against_a_checkpoint(tree, signing, tmp_path):
    published = checkpoint_public(checkpoint_make())
    rewrite_from(5)
    assert events_verify()[1] is None    # the chain alone holds together
    broken = events_verify(published)[1]
    assert (broken.chain, broken.seq, broken.reason) == (CITY_CHAIN, 11, "checkpoint")
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(published))
    with pytest.raises(CommandError, match="重算"):
        call_command("verify_events", checkpoint=kept)


def test_a_checkpoint_edited_in_the_database_fails_its_signature(tree, signing):
    checkpoint = checkpoint_make()
    rewrite_from(5)
    checkpoint.chains = [dict(c, head=Chain.objects.get(name=c["name"]).head) for c in checkpoint.chains]
    checkpoint.save()
    with pytest.raises(CommandError, match="默克尔根"):
        call_command("verify_events")


def test_the_hash_of_an_event_links_the_previous_hash_and_the_events_leaf(tree):
    event = Event.objects.order_by("id").last()
    leaf = event_leaf(at=event.at, actor_id=event.actor_id, verb=event.verb, subject_type=event.subject_type,
                      subject_id=event.subject_id, data=event.data, salt=event.salt)
    assert event.hash == chain_link(event.prev_hash, leaf) == event_hash(event, event.prev_hash)


@pytest.mark.django_db(transaction=True)
def test_the_migration_closes_the_single_chain_as_legacy_where_the_new_chains_begin(tree, root):
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    from core.events import GENESIS, event_append, event_hash_v1

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate([("core", target)])
        return executor.loader.project_state([("core", target)]).apps

    old = migrate("0003_outbox_sms")
    try:
        # The log as the code before the split wrote it: one chain over every event, hashed the old way.
        prev_hash = GENESIS
        for event in old.get_model("core", "Event").objects.order_by("id"):
            event.prev_hash, event.hash = prev_hash, event_hash_v1(
                prev_hash=prev_hash, at=event.at, actor_id=event.actor_id, verb=event.verb,
                subject_type=event.subject_type, subject_id=event.subject_id, data=event.data)
            event.save(update_fields=["prev_hash", "hash"])
            prev_hash = event.hash
    finally:
        migrate("0004_event_chains")
    legacy = Chain.objects.get(name=LEGACY_CHAIN)
    assert (legacy.origin, legacy.length, legacy.head) == (GENESIS, 11, prev_hash)
    assert list(Event.objects.order_by("id").values_list("seq", flat=True)) == list(range(1, 12))
    assert events_verify() == (11, None)
    with transaction.atomic():
        first = event_append(actor=root, verb="place_update", subject=tree["subdistrict"], data={})
    assert (first.chain, first.seq, first.prev_hash) == ("620102010", 1, legacy.head)
    assert Chain.objects.get(name="620102010").origin == legacy.head and events_verify() == (12, None)
