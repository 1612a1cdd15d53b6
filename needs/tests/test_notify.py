from needs.models import Notification
from needs.services import need_act


def test_it_emails_the_inbox_line_after_commit(claimed, accounts, mailoutbox, django_capture_on_commit_callbacks):
    accounts["resident"].email = "resident@example.org"
    accounts["resident"].save()
    with django_capture_on_commit_callbacks(execute=True):
        need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已完成", evidence="签字")
    assert [m.to for m in mailoutbox] == [["resident@example.org"]]
    assert "4号楼3单元加装电梯" in mailoutbox[0].body


def test_it_sends_through_the_configured_gateway(claimed, accounts, settings, django_capture_on_commit_callbacks):
    sent = []
    settings.NEEDS_NOTIFY_GATEWAY = "needs.tests.test_notify.FakeSms"
    FakeSms.sent = sent
    with django_capture_on_commit_callbacks(execute=True):
        need_act(actor=accounts["unit_admin"], need=claimed, action="start")
    assert ("resident1", Notification.objects.filter(verb="start").get().text) in sent


class FakeSms:
    sent: list = []

    def send(self, user, subject, text):
        self.sent.append((user.username, text))
