"""The move to one inbox (core 0002, needs 0007, offers 0004): the needs loop's lines and waiting messages and the
booking notices become core's lines and outbox rows, and back again, none lost (MigrationExecutor)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core import notify
from core.models import InboxLine, OutboxMessage
from needs.services import need_submit
from offers.services import booking_cancel, booking_request

BEFORE = [("core", "0001_initial"), ("needs", "0006_outbox"), ("offers", "0003_notice_sent")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_rows_move_to_core_and_back(session, accounts, provider, tree, monkeypatch):
    monkeypatch.setattr(notify, "messages_send", lambda ids: None)  # the tasks lost: the messages wait
    need = need_submit(actor=None, title="楼道灯不亮", place=tree["building"], contact_name="李先生",
                       contact_phone="13931001234")
    booking = booking_request(actor=accounts["resident"], session=session)
    booking_cancel(actor=provider, booking=booking, reason="车辆检修")
    InboxLine.objects.filter(verb="confirm").update(read_at=timezone.now())
    lines = set(InboxLine.objects.values_list("user_id", "subject", "link", "verb", "text", "at", "read_at"))
    waiting = set(OutboxMessage.objects.values_list("user_id", "contact_name", "contact_phone", "subject", "text"))
    need_key, booking_key = f"needs.need:{need.pk}", f"offers.booking:{booking.pk}"
    assert {line[1] for line in lines} == {need_key, booking_key} and len(lines) >= 3
    assert (None, "李先生", "13931001234") in {m[:3] for m in waiting}
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()  # every app's: going back unapplies mediation's
    try:
        old = migrate(BEFORE)
        Notification, Outbox = old.get_model("needs", "Notification"), old.get_model("needs", "OutboxMessage")
        Notice = old.get_model("offers", "Notice")
        assert Notification.objects.filter(need_id=need.pk).count() == sum(line[1] == need_key for line in lines)
        assert Outbox.objects.filter(need_id=need.pk).count() == sum(m[3] == need_key for m in waiting)
        assert Outbox.objects.filter(user=None).count() == 1  # the contact's, read from the need again
        assert Notice.objects.filter(booking_id=booking.pk).count() == sum(line[1] == booking_key for line in lines)
        assert Notice.objects.filter(verb="confirm").exclude(read_at=None).exists()
        assert Notice.objects.filter(sent_at=None).count() == sum(m[3] == booking_key for m in waiting)
    finally:
        migrate(latest)
    assert set(InboxLine.objects.values_list("user_id", "subject", "link", "verb", "text", "at", "read_at")) == lines
    assert set(OutboxMessage.objects.values_list("user_id", "contact_name", "contact_phone", "subject",
                                                 "text")) == waiting
