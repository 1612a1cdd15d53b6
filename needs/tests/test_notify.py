import datetime

from django.utils import timezone

from core.models import InboxLine, OutboxMessage
from core.notify import LEASE, RESEND_AFTER, Contact, messages_resend
from needs.services import need_act, need_submit


def test_it_emails_the_inbox_line_after_commit(claimed, accounts, mailoutbox, django_capture_on_commit_callbacks):
    accounts["resident"].email = "resident@example.org"
    accounts["resident"].save()
    with django_capture_on_commit_callbacks(execute=True):
        need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已完成", evidence="签字")
    assert [m.to for m in mailoutbox] == [["resident@example.org"]]
    assert "4号楼3单元加装电梯" in mailoutbox[0].body
    line = InboxLine.objects.get(user=accounts["resident"], verb="resolve")
    assert (line.subject, line.link) == (f"needs.need:{claimed.pk}", f"/needs/{claimed.pk}/")


def test_it_sends_through_the_configured_gateway(claimed, accounts, settings, django_capture_on_commit_callbacks):
    sent = []
    settings.NEEDS_NOTIFY_GATEWAY = "needs.tests.test_notify.FakeSms"
    FakeSms.sent = sent
    with django_capture_on_commit_callbacks(execute=True):
        need_act(actor=accounts["unit_admin"], need=claimed, action="start")
    assert ("resident1", InboxLine.objects.filter(verb="start").get().text) in sent


class FakeSms:
    sent: list = []

    def send(self, user, subject, text):
        self.sent.append((user.phone if isinstance(user, Contact) else user.username, text))


def test_a_sent_message_leaves_the_outbox(claimed, accounts, settings, django_capture_on_commit_callbacks):
    settings.NEEDS_NOTIFY_GATEWAY = "needs.tests.test_notify.FakeSms"
    FakeSms.sent = []
    waiting = set(OutboxMessage.objects.values_list("pk", flat=True))  # the fixture's actions ran no task
    with django_capture_on_commit_callbacks(execute=True):
        need_act(actor=accounts["unit_admin"], need=claimed, action="start")
    assert FakeSms.sent and set(OutboxMessage.objects.values_list("pk", flat=True)) == waiting


def test_a_message_whose_task_was_lost_is_sent_once_by_the_resend(tree, accounts, settings, category):
    """The commit happened but its task never ran (the web worker or the consumer was killed): the inbox line
    and the contact's message wait in the outbox, and the minutely resend sends each of them once."""
    settings.NEEDS_NOTIFY_GATEWAY = "needs.tests.test_notify.FakeSms"
    FakeSms.sent = []
    need = need_submit(actor=None, title="楼道灯不亮", place=tree["building"], contact_phone="13931001234")
    need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
             concern_level="annoyance")  # no on-commit callbacks run here: the tasks are lost
    waiting = OutboxMessage.objects.count()
    assert waiting >= 3 and FakeSms.sent == []  # submit: staff and the contact; accept: the contact
    assert messages_resend() == 0  # not yet: its own task may still be on its way
    later = timezone.now() + RESEND_AFTER + datetime.timedelta(seconds=1)
    assert messages_resend(later) == waiting
    assert len(FakeSms.sent) == waiting and not OutboxMessage.objects.exists()
    assert [user for user, _text in FakeSms.sent].count("13931001234") == 2
    assert messages_resend(later) == 0 and len(FakeSms.sent) == waiting


def test_a_message_another_sender_took_waits_for_its_lease(submitted, settings):
    settings.NEEDS_NOTIFY_GATEWAY = "needs.tests.test_notify.FakeSms"
    FakeSms.sent = []
    later = timezone.now() + RESEND_AFTER + datetime.timedelta(seconds=1)
    waiting = OutboxMessage.objects.update(claimed_at=later - LEASE + datetime.timedelta(seconds=5))
    assert waiting and messages_resend(later) == 0 and FakeSms.sent == []  # its sender may still be sending it
    assert messages_resend(later + datetime.timedelta(seconds=10)) == waiting == len(FakeSms.sent)
    assert not OutboxMessage.objects.exists()
