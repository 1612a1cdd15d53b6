"""A station's consumables: received, given out, corrected with a reason; never negative; the low-stock alert."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.events import events_verify
from core.models import Event, InboxLine, OutboxMessage
from core.notify import subject_key
from sites.models import Item, MovementKind, StockMovement
from sites.services import item_create, item_update, stock_adjust, stock_give_out, stock_receive

pytestmark = pytest.mark.django_db


def nothing_written(item, before_events, before_movements):
    assert Event.objects.count() == before_events
    assert StockMovement.objects.count() == before_movements
    return Item.objects.get(pk=item.pk)


def test_the_opening_stock_is_a_received_movement(plasters):
    movement = plasters.movements.get()
    assert (movement.kind, movement.change, movement.stock_after) == (MovementKind.RECEIVED, 10, 10)
    assert Event.objects.filter(verb="item_create", subject_id=str(plasters.pk)).exists()


def test_it_receives_and_gives_out_with_events_carrying_keys_only(accounts, plasters, tree):
    from people.services import person_create

    operator = accounts["unit_admin"]
    stock_receive(actor=operator, item=plasters, quantity=5)
    person = person_create(actor=accounts["community_staff"], name="王秀英", phone="13912345678", home=tree["entrance"])
    # The unit admin may not open a resident's record; the community's staff may give to them.
    with pytest.raises(PermissionDenied):
        stock_give_out(actor=operator, item=plasters, quantity=1, person=person)
    movement = stock_give_out(actor=accounts["community_staff"], item=plasters, quantity=2, person=person)
    stock_give_out(actor=operator, item=plasters, quantity=1, recipient="过路的大爷")
    assert Item.objects.get(pk=plasters.pk).stock == 12 == plasters.stock
    assert (movement.change, movement.stock_after, movement.person) == (-2, 13, person)
    event = Event.objects.filter(verb="stock_give_out").first()
    assert event.data == {"movement": movement.pk, "change": -2, "stock": 13, "person": person.pk}
    assert "王秀英" not in str(list(Event.objects.values_list("data", flat=True)))
    assert "过路的大爷" not in str(list(Event.objects.values_list("data", flat=True)))
    assert events_verify()[1] is None


def test_it_refuses_to_give_out_more_than_in_stock_and_writes_nothing(accounts, plasters):
    events, movements = Event.objects.count(), StockMovement.objects.count()
    with pytest.raises(ValidationError) as refused:
        stock_give_out(actor=accounts["unit_admin"], item=plasters, quantity=11)
    assert "库存仅剩10片" in str(refused.value)
    assert nothing_written(plasters, events, movements).stock == 10


@pytest.mark.parametrize("quantity", [0, -1, 10_001, "abc", "1e3", None, True])
def test_it_refuses_an_absurd_quantity(accounts, plasters, quantity):
    events, movements = Event.objects.count(), StockMovement.objects.count()
    with pytest.raises(ValidationError):
        stock_receive(actor=accounts["unit_admin"], item=plasters, quantity=quantity)
    assert nothing_written(plasters, events, movements).stock == 10


def test_a_correction_needs_a_reason_and_sets_the_count(accounts, plasters):
    events, movements = Event.objects.count(), StockMovement.objects.count()
    with pytest.raises(ValidationError) as refused:
        stock_adjust(actor=accounts["unit_admin"], item=plasters, count=7, reason=" ")
    assert "说明" in str(refused.value) or "原因" in str(refused.value)
    nothing_written(plasters, events, movements)
    movement = stock_adjust(actor=accounts["unit_admin"], item=plasters, count=7, reason="盘点：3片过期")
    assert (movement.kind, movement.change, movement.stock_after) == ("adjusted", -3, 7)
    assert movement.reason == "盘点：3片过期"
    assert Event.objects.filter(verb="stock_adjust").get().data["change"] == -3


def test_who_may_run_the_stock(accounts, plasters):
    allowed = ("unit_admin", "community_staff", "subdistrict_admin")
    for role, user in accounts.items():
        if role in allowed:
            stock_receive(actor=user, item=plasters, quantity=1)
        else:
            with pytest.raises(PermissionDenied):
                stock_receive(actor=user, item=plasters, quantity=1)
    assert Item.objects.get(pk=plasters.pk).stock == 10 + len(allowed)


def test_a_lendable_is_not_given_out(accounts, umbrellas):
    with pytest.raises(ValidationError) as refused:
        stock_give_out(actor=accounts["unit_admin"], item=umbrellas, quantity=1)
    assert "借" in str(refused.value)


def test_only_a_station_keeps_items(root, tree):
    from sites.services import site_create

    facility = site_create(actor=root, kind="facility", name="充电桩", place=tree["compound"])
    with pytest.raises(ValidationError):
        item_create(actor=root, site=facility, kind="consumable", name="创可贴")


def test_an_item_name_is_unique_per_station(root, plasters):
    with pytest.raises(ValidationError):
        item_create(actor=root, site=plasters.site, kind="consumable", name="创可贴")


def test_the_low_stock_alert_fires_once_when_the_threshold_is_reached(accounts, plasters, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    """Falling to the threshold puts a line in the operator's inbox that opens the desk, and mails them after the
    commit; staying low adds nothing."""
    operator = accounts["unit_admin"]
    operator.email = "dianying@example.org"
    operator.save()
    with django_capture_on_commit_callbacks(execute=True):
        stock_give_out(actor=operator, item=plasters, quantity=6)  # 4 left: above 3
    assert not InboxLine.objects.filter(verb="stock_low").exists()
    with django_capture_on_commit_callbacks(execute=True):
        stock_give_out(actor=operator, item=plasters, quantity=1)  # 3: at the threshold
    with django_capture_on_commit_callbacks(execute=True):
        stock_give_out(actor=operator, item=plasters, quantity=1)  # still low: no second alert
    line = InboxLine.objects.get(verb="stock_low")
    assert (line.user, line.subject, line.link) == (operator, subject_key(plasters), f"/sites/{plasters.site_id}/desk/")
    assert "创可贴" in line.text and "3" in line.text and "天庆嘉园便民驿站" in line.text
    assert [m.to for m in mailoutbox] == [["dianying@example.org"]] and not OutboxMessage.objects.exists()
    assert Item.objects.get(pk=plasters.pk).is_low


def test_a_refused_give_out_alerts_nobody(accounts, plasters):
    with pytest.raises(ValidationError):
        stock_give_out(actor=accounts["unit_admin"], item=plasters, quantity=21)
    assert not InboxLine.objects.exists() and not OutboxMessage.objects.exists()


def test_item_update_keeps_units_at_least_those_out(accounts, umbrellas):
    from sites.services import loan_create

    loan_create(actor=accounts["unit_admin"], item=umbrellas, borrower_name="李先生", borrower_phone="13800001111")
    loan_create(actor=accounts["unit_admin"], item=umbrellas, borrower_name="赵女士", borrower_phone="13800002222")
    with pytest.raises(ValidationError):
        item_update(actor=accounts["unit_admin"], item=umbrellas, units=1)
    item_update(actor=accounts["unit_admin"], item=umbrellas, units=5, low_stock=2)
    assert Item.objects.get(pk=umbrellas.pk).units == 5


def test_a_correction_down_to_the_threshold_alerts_once(accounts, plasters):
    stock_adjust(actor=accounts["unit_admin"], item=plasters, count=2, reason="盘点：过期")
    stock_adjust(actor=accounts["unit_admin"], item=plasters, count=1, reason="盘点：损坏")
    assert list(InboxLine.objects.filter(verb="stock_low").values_list("user", flat=True)) == [
        accounts["unit_admin"].pk]
