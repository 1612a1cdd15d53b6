"""Each subdistrict's records write to its own event chain: appends in two subdistricts never wait for each other,
and a record above the subdistricts (or of a transaction that began in the city's chain) goes to the city's."""

import threading

import pytest
from django.db import connection, transaction

from core.events import CITY_CHAIN, LEGACY_CHAIN, chains_origin, event_append, events_verify
from core.models import Chain, Event
from places.services import place_create, place_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_subdistricts(root):
    city = place_create(actor=root, kind="city", name="兰州市", code="6201")
    district = place_create(actor=root, kind="district", name="城关区", code="620102", parent=city)
    return {
        "city": city,
        "gxd": place_create(actor=root, kind="subdistrict", name="拱星墩街道", code="620102010", parent=district),
        "dqx": place_create(actor=root, kind="subdistrict", name="东岗西路街道", code="620102011", parent=district),
    }


def test_each_write_goes_to_the_chain_of_its_subdistrict(root, two_subdistricts):
    gxd, dqx = two_subdistricts["gxd"], two_subdistricts["dqx"]
    community = place_create(actor=root, kind="community", name="天庆嘉园社区", code="620102010001", parent=gxd)
    place_update(actor=root, place=dqx, name="东岗西路街道办事处")
    chains = dict(Event.objects.filter(subject_id__in=[str(community.pk), str(dqx.pk)], verb__in=[
        "place_create", "place_update"]).values_list("verb", "chain"))
    assert chains == {"place_create": "620102010", "place_update": "620102011"}
    assert Event.objects.get(verb="place_create", subject_id=str(two_subdistricts["city"].pk)).chain == CITY_CHAIN
    assert set(Chain.objects.exclude(name=LEGACY_CHAIN).values_list("origin", flat=True)) == {chains_origin()}
    assert {c.name: c.length for c in Chain.objects.exclude(name=LEGACY_CHAIN)} == {
        CITY_CHAIN: 2, "620102010": 2, "620102011": 2}
    assert events_verify() == (6, None)


def test_a_transaction_writes_all_its_events_to_the_chain_of_its_first(root, two_subdistricts):
    with transaction.atomic():
        event_append(actor=root, verb="place_update", subject=two_subdistricts["gxd"], data={})
        event_append(actor=root, verb="place_update", subject=two_subdistricts["city"], data={})
    first, second = Event.objects.filter(verb="place_update").order_by("id")
    assert first.chain == second.chain == "620102010" and second.prev_hash == first.hash


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: every write waits")
def test_an_append_in_one_subdistrict_does_not_wait_for_another_subdistricts(root, two_subdistricts):
    holding, release = threading.Event(), threading.Event()

    def hold_the_first_chain():
        with transaction.atomic():
            event_append(actor=root, verb="place_update", subject=two_subdistricts["gxd"], data={})
            holding.set()
            release.wait(30)   # the chain's lock is held until this transaction commits
        connection.close()

    holder = threading.Thread(target=hold_the_first_chain)
    holder.start()
    try:
        assert holding.wait(30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")   # a wait for the held chain would fail here
            event_append(actor=root, verb="place_update", subject=two_subdistricts["dqx"], data={})
        with pytest.raises(Exception, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            event_append(actor=root, verb="place_update", subject=two_subdistricts["gxd"], data={})
    finally:
        release.set()
        holder.join(30)
    assert Event.objects.filter(verb="place_update").count() == 2 and events_verify()[1] is None
