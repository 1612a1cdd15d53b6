"""The soak's count of delivered messages (bench/soak.py) is the product's: what the gateway sent, against every
inbox line and every message a contact should have had. A message whose task never ran counts as lost."""

import sqlite3

import pytest

from bench.soak import delivery
from needs.services import need_act, need_submit


@pytest.fixture
def recorded(settings, tmp_path):
    settings.NEEDS_NOTIFY_GATEWAY = "bench.soak.RecordingGateway"
    settings.VAR_DIR = tmp_path
    with sqlite3.connect(tmp_path / "huey.sqlite3") as db:  # huey's queue, as the soak reads it
        db.execute("create table task (id integer primary key)")
    return tmp_path


def test_every_message_sent_is_delivered(recorded, tree, accounts, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = need_submit(actor=None, title="楼道灯不亮", place=tree["building"], contact_phone="13931001234")
        need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                 concern_level="annoyance")
    state = delivery(recorded)
    # (expected, delivered, lost, duplicates): the staff's inbox line of the submission; the tracking reference
    # and the acceptance to the contact
    assert state["inbox"] == (1, 1, 0, 0) and state["contact"] == (2, 2, 0, 0) and state["outbox"] == 0


def test_a_message_whose_task_never_ran_is_lost(recorded, tree, accounts, category):
    need_submit(actor=None, title="楼道灯不亮", place=tree["building"], contact_phone="13931001234")
    state = delivery(recorded)
    assert state["inbox"] == (1, 0, 1, 0) and state["contact"] == (1, 0, 1, 0) and state["outbox"] == 2
