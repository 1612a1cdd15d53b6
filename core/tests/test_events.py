import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.events import events_verify
from core.models import Event


def test_it_chains_every_event_to_the_one_before(tree):
    events = list(Event.objects.order_by("id"))
    assert len(events) == 11
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert events_verify() == (11, None)


def test_it_finds_the_first_tampered_event(tree, capsys):
    call_command("verify_events")
    assert "11" in capsys.readouterr().out
    victim = Event.objects.order_by("id")[4]
    Event.objects.filter(pk=victim.pk).update(data={"code": "620102010999", "kind": "community"})
    checked, broken = events_verify()
    assert (checked, broken.pk) == (4, victim.pk)
    with pytest.raises(CommandError, match=f"id={victim.pk}"):
        call_command("verify_events")


def test_it_finds_a_deleted_event(tree):
    victim = Event.objects.order_by("id")[6]
    Event.objects.filter(pk=victim.pk).delete()
    checked, broken = events_verify()
    assert checked == 6 and broken.pk > victim.pk
