"""core.notify, every app's notifications: the inbox lines and the outbox rows are written in the caller's
transaction (a rollback leaves neither), the messages go out after the commit and leave the outbox; a message
whose task was lost is sent once by the minutely resend; one another sender holds waits for its lease."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import notify
from core.models import InboxLine, OutboxMessage
from core.notify import LEASE, RESEND_AFTER, Contact, messages_resend

pytestmark = pytest.mark.django_db


class Recording:
    sent: list = []

    def send(self, recipient, subject, text):
        Recording.sent.append((recipient.phone if isinstance(recipient, Contact) else recipient.username, text))


@pytest.fixture
def gateway(settings):
    settings.NEEDS_NOTIFY_GATEWAY = f"{__name__}.Recording"
    Recording.sent = []
    return Recording.sent


@pytest.fixture
def two(db):
    return [User.objects.create_user(username=name, password="x") for name in ("amy", "bo")]


def tell(users, **kwargs):
    """A notice about the first account (any record will do), linking to a page."""
    return notify.notify(users=[u.pk for u in users], subject=users[0], verb="test", text="第三季度例会改期",
                         link="/offers/", **kwargs)


def test_the_lines_and_messages_are_written_in_the_callers_transaction(two, gateway,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            lines = tell(two, contacts=[(Contact("李先生", "13800001111"), "您的查询码是 ABC")])
            assert InboxLine.objects.count() == 2 and OutboxMessage.objects.count() == 3  # inside, before commit
    assert gateway == [] and len(callbacks) == 1  # nothing sent before the commit
    line = InboxLine.objects.get(user=two[0])
    assert (line.subject, line.verb, line.link, line.read_at) == (f"auth.user:{two[0].pk}", "test", "/offers/", None)
    assert {line.pk for line in lines} == set(InboxLine.objects.values_list("pk", flat=True))
    contact = OutboxMessage.objects.get(user=None)
    assert (contact.contact_name, contact.contact_phone, contact.text) == ("李先生", "13800001111", "您的查询码是 ABC")


def test_a_rolled_back_action_writes_and_sends_nothing(two, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            tell(two)
            raise RuntimeError("the action was refused after its notice")
    assert callbacks == [] and gateway == []
    assert not InboxLine.objects.exists() and not OutboxMessage.objects.exists()


def test_the_messages_go_out_after_the_commit_and_leave_the_outbox(two, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(two, contacts=[(Contact("李先生", "13800001111"), "您的查询码是 ABC")])
    assert sorted(gateway) == [("13800001111", "您的查询码是 ABC"), ("amy", "第三季度例会改期"),
                               ("bo", "第三季度例会改期")]
    assert not OutboxMessage.objects.exists() and InboxLine.objects.count() == 2


def test_no_recipient_writes_nothing(two, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notify.notify(users=[], subject=two[0], verb="test", text="x", link="/",
                             contacts=[(Contact("", ""), "no phone")]) == []
    assert callbacks == [] and not OutboxMessage.objects.exists()


def test_a_message_whose_task_was_lost_is_sent_once_by_the_resend(two, gateway):
    tell(two)  # in a test nothing commits: the task is lost
    assert messages_resend() == 0 and gateway == []  # not yet: its own task may still be on its way
    later = timezone.now() + RESEND_AFTER + datetime.timedelta(seconds=1)
    assert messages_resend(later) == 2 and sorted(gateway) == [("amy", "第三季度例会改期"), ("bo", "第三季度例会改期")]
    assert messages_resend(later) == 0 and len(gateway) == 2 and not OutboxMessage.objects.exists()


def test_the_minutely_task_resends(two, gateway):
    from core.tasks import messages_resend_task

    tell(two)
    OutboxMessage.objects.update(created_at=timezone.now() - RESEND_AFTER * 2)
    messages_resend_task()  # huey's immediate mode in tests: it runs here
    assert len(gateway) == 2 and not OutboxMessage.objects.exists()


def test_a_message_another_sender_took_waits_for_its_lease(two, gateway):
    tell(two)
    later = timezone.now() + RESEND_AFTER + datetime.timedelta(seconds=1)
    waiting = OutboxMessage.objects.update(claimed_at=later - LEASE + datetime.timedelta(seconds=5))
    assert messages_resend(later) == 0 and gateway == []  # its sender may still be sending it
    assert messages_resend(later + datetime.timedelta(seconds=10)) == waiting == len(gateway) == 2
    assert not OutboxMessage.objects.exists()


def test_a_failing_gateway_does_not_stop_the_others(two, settings):
    settings.NEEDS_NOTIFY_GATEWAY = f"{__name__}.Broken"
    tell(two)
    assert messages_resend(timezone.now() + RESEND_AFTER * 2) == 2
    assert not OutboxMessage.objects.exists() and InboxLine.objects.count() == 2  # the inbox has the lines


class Broken:
    def send(self, recipient, subject, text):
        raise ConnectionError("gateway down")


def test_opening_a_line_goes_to_its_page_and_never_off_the_site(client, two):
    notify.notify(users=[two[0].pk], subject=two[0], verb="test", text="站外", link="//evil.example/x")
    tell(two)
    client.force_login(two[0])
    outside, inside = InboxLine.objects.filter(user=two[0]).order_by("pk")
    assert client.post(reverse("inbox_open", args=[inside.pk])).url == "/offers/"
    assert client.post(reverse("inbox_open", args=[outside.pk])).url == reverse("inbox")
    assert not InboxLine.objects.filter(user=two[0], read_at=None).exists()
