"""SMS: the notifications marked sms reach the phone through the configured backend (the file backend here, a
local HTTP gateway for `http`), an opted-out number gets nothing, every try is in the send log with the number
masked; the gateway's reply TD opts a number out; a resident stops and resumes SMS on their own page."""

import datetime
import http.server
import json
import threading

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import Event
from core.notify import Contact, notify
from interop.models import SmsMessage, SmsOptOut, SmsStatus
from interop.services import phone_key, sms_opt_out
from interop.sms import sms_send
from needs.models import Need
from needs.services import need_act
from offers.services import booking_cancel, booking_request
from offers.tasks import bookings_sweep
from people.services import person_account_link, person_create

pytestmark = pytest.mark.django_db

RESIDENT_PHONE = "13900000008"  # the shared fixtures' resident (people of `accounts`)


@pytest.fixture
def sms_file(settings, tmp_path):
    """The file backend in a folder of the test's own; returns a reader of the messages it holds."""
    settings.SMS_BACKEND, settings.SMS_FILE_DIR = "file", tmp_path

    def read() -> list[dict]:
        path = tmp_path / "sms.jsonl"
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return read


def test_an_anonymous_report_gets_its_tracking_reference_by_sms(client, tree, sms_file,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("needs:submit") + f"?place={tree['building'].code}", {
            "title": "楼道灯不亮", "description": "楼道灯坏了", "place": tree["building"].code, "affected": 1,
            "is_public": "on", "from_qr": "1", "contact_name": "王秀兰", "contact_phone": "139 3100 1234"})
    need = Need.objects.get(title="楼道灯不亮")
    [sent] = sms_file()
    assert sent["phone"] == "13931001234" and need.reference in sent["text"]
    assert sent["text"].startswith("【民生】") and sent["text"].endswith("回复TD退订")
    entry = SmsMessage.objects.get()
    assert (entry.status, entry.phone_masked, entry.subject, entry.backend) == (
        SmsStatus.SENT, "139****1234", f"needs.need:{need.pk}", "file")
    assert entry.text == sent["text"] and entry.user is None
    assert not SmsMessage.objects.filter(phone_masked__contains="31001234").exists()


def test_a_booking_reminder_reaches_the_residents_phone(session, accounts, settings, sms_file,
                                                        django_capture_on_commit_callbacks):
    settings.OFFERS_REMIND_HOURS = 24
    booking_request(actor=accounts["resident"], session=session)
    assert sms_file() == []  # the confirmation is not one that goes by SMS
    with django_capture_on_commit_callbacks(execute=True):
        assert bookings_sweep(now=session.starts_at - datetime.timedelta(hours=23))["remind"] == 1
    [sent] = sms_file()
    assert sent["phone"] == RESIDENT_PHONE and "爱心送考免费接送" in sent["text"]
    entry = SmsMessage.objects.get()
    assert (entry.user, entry.status, entry.phone_masked) == (accounts["resident"], SmsStatus.SENT, "139****0008")


def test_a_message_not_marked_sms_sends_none(session, accounts, provider, sms_file,
                                             django_capture_on_commit_callbacks):
    booking = booking_request(actor=accounts["resident"], session=session)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=provider, booking=booking, reason="车辆检修")
    assert sms_file() == [] and not SmsMessage.objects.exists()


def test_an_opted_out_number_gets_nothing_and_the_log_says_so(session, accounts, settings, sms_file,
                                                              django_capture_on_commit_callbacks):
    sms_opt_out(actor=accounts["resident"], phone=RESIDENT_PHONE, via="account")
    settings.OFFERS_REMIND_HOURS = 24
    booking_request(actor=accounts["resident"], session=session)
    with django_capture_on_commit_callbacks(execute=True):
        bookings_sweep(now=session.starts_at - datetime.timedelta(hours=23))
    assert sms_file() == []
    assert SmsMessage.objects.get().status == SmsStatus.OPTED_OUT


def test_the_request_to_rate_goes_by_sms_to_the_reporter_and_an_account_without_a_phone_is_logged(
        claimed, accounts, root, sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已完成", evidence="签字")
    [sent] = sms_file()
    assert sent["phone"] == RESIDENT_PHONE and "4号楼3单元加装电梯" in sent["text"] and "评价" in sent["text"]
    # The community staff hear of it in their inbox only.
    assert list(SmsMessage.objects.values_list("user__username", "status")) == [("resident1", SmsStatus.SENT)]
    nobody = User.objects.create_user("no_phone")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[nobody.pk], subject=claimed, verb="resolve", text="测试", link="/", sms=True)
    assert SmsMessage.objects.get(user=nobody).status == SmsStatus.NO_PHONE and len(sms_file()) == 1


def test_a_department_hears_of_its_report_in_deadline_by_sms(published, accounts, root, department, sms_file,
                                                             django_capture_on_commit_callbacks):
    person = person_create(actor=root, name="招生办联络员", phone="13700001111")
    person_account_link(actor=root, person=person, user=department["admin"])
    need = need_act(actor=accounts["community_staff"], need=published, action="escalate", note="需部门")
    with django_capture_on_commit_callbacks(execute=True):
        need_act(actor=accounts["subdistrict_admin"], need=need, action="dispatch",
                 organisation=department["organisation"])
    [sent] = sms_file()  # the reporter hears of the dispatch in the inbox
    assert sent["phone"] == "13700001111" and "报到" in sent["text"]


class Gateway(http.server.BaseHTTPRequestHandler):
    """An SMS gateway that fails for one number: it keeps what it received."""

    received: list = []
    failing = "13900000002"  # the party member's

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers["Authorization"], body))
        self.send_response(500 if body["phone"] == self.failing else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND, settings.SMS_HTTP_TOKEN = "http", "gw-token"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/send"
    Gateway.received = []
    yield Gateway.received
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_to_the_gateway_and_a_failure_does_not_stop_the_next(
        claimed, accounts, gateway, django_capture_on_commit_callbacks):
    users = [accounts["party_member"].pk, accounts["resident"].pk]  # the failing number first (by id)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=users, subject=claimed, verb="resolve", text="“4号楼3单元加装电梯”已办结", link="/", sms=True)
    assert [(auth, body["phone"], body["sign"]) for auth, body in gateway] == [
        ("Bearer gw-token", "13900000002", "【民生】"), ("Bearer gw-token", RESIDENT_PHONE, "【民生】")]
    assert gateway[1][1]["text"] == "【民生】“4号楼3单元加装电梯”已办结回复TD退订"
    failed = SmsMessage.objects.get(user=accounts["party_member"])
    assert (failed.status, failed.backend, failed.error) == (SmsStatus.FAILED, "http", "the gateway answered 500")
    assert SmsMessage.objects.get(user=accounts["resident"]).status == SmsStatus.SENT


def test_the_reply_td_opts_the_number_out(client, settings):
    settings.SMS_HTTP_TOKEN = "gw-token"
    url = reverse("interop:sms_reply")
    response = client.post(url, {"phone": RESIDENT_PHONE, "text": "TD"}, HTTP_AUTHORIZATION="Bearer gw-token")
    assert response.status_code == 200 and response.json() == {"opted_out": True}
    opt_out = SmsOptOut.objects.get(phone_hash=phone_key(RESIDENT_PHONE))
    assert (opt_out.via, opt_out.phone_masked) == ("reply", "139****0008")
    assert Event.objects.filter(verb="sms_opt_out", data__via="reply").count() == 1
    response = client.post(url, json.dumps({"phone": "13700001111", "text": " 退订 "}),
                           content_type="application/json", HTTP_AUTHORIZATION="Bearer gw-token")
    assert response.json() == {"opted_out": True} and SmsOptOut.objects.count() == 2
    response = client.post(url, {"phone": "13700002222", "text": "谢谢"}, HTTP_AUTHORIZATION="Bearer gw-token")
    assert response.json() == {"opted_out": False} and SmsOptOut.objects.count() == 2
    response = client.post(url, {"phone": "12", "text": "TD"}, HTTP_AUTHORIZATION="Bearer gw-token")
    assert response.status_code == 422 and "电话号码" in response.json()["detail"]


@pytest.mark.parametrize("auth", ["Bearer wrong", "", "gw-token-and-more"])
def test_a_reply_without_the_gateways_token_is_refused(client, settings, auth):
    settings.SMS_HTTP_TOKEN = "gw-token"
    response = client.post(reverse("interop:sms_reply"), {"phone": RESIDENT_PHONE, "text": "TD"},
                           HTTP_AUTHORIZATION=auth)
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert "detail" in response.json() and not SmsOptOut.objects.exists()


def test_no_token_configured_refuses_every_reply(client, settings):
    settings.SMS_HTTP_TOKEN = ""
    response = client.post(reverse("interop:sms_reply"), {"phone": RESIDENT_PHONE, "text": "TD"},
                           HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403 and not SmsOptOut.objects.exists()
    assert client.get(reverse("interop:sms_reply")).status_code == 405


def test_the_residents_page_stops_and_resumes_sms(client, accounts):
    url = reverse("interop:sms")
    assert client.get(url).url.startswith(reverse("login"))  # a visitor signs in first
    client.force_login(accounts["resident"])
    page = client.get(url).content.decode()
    assert "139****0008" in page and RESIDENT_PHONE not in page and "退订短信" in page
    client.post(url, {"sms": "stop"})
    assert SmsOptOut.objects.get(phone_hash=phone_key(RESIDENT_PHONE)).via == "account"
    assert "恢复短信通知" in client.get(url).content.decode()
    client.post(url, {"sms": "resume"})
    assert not SmsOptOut.objects.exists()
    assert Event.objects.filter(verb__in=["sms_opt_out", "sms_opt_in"]).count() == 2
    assert client.post(url, {"sms": "maybe"}).status_code == 400 and not SmsOptOut.objects.exists()


def test_the_header_links_the_page_for_an_account_of_a_person_only(client, accounts):
    client.force_login(accounts["resident"])
    assert reverse("interop:sms") in client.get(reverse("needs:mine")).content.decode()
    client.force_login(accounts["community_staff"])  # most staff accounts are no person on record: no phone of theirs
    assert reverse("interop:sms") not in client.get(reverse("needs:mine")).content.decode()


def test_an_account_without_a_phone_has_no_switch(client, db):
    client.force_login(User.objects.create_user("no_phone"))
    page = client.get(reverse("interop:sms")).content.decode()
    assert "没有登记电话" in page and 'value="stop"' not in page
    assert client.post(reverse("interop:sms"), {"sms": "stop"}).status_code == 400


def test_only_the_phones_owner_or_staff_stop_its_sms(accounts):
    with pytest.raises(PermissionDenied):
        sms_opt_out(actor=accounts["party_member"], phone=RESIDENT_PHONE, via="account")
    with pytest.raises(PermissionDenied):
        sms_opt_out(actor=accounts["party_member"], phone=RESIDENT_PHONE, via="staff")
    assert not SmsOptOut.objects.exists()
    sms_opt_out(actor=accounts["community_staff"], phone=RESIDENT_PHONE, via="staff")
    assert SmsOptOut.objects.get().via == "staff"


def test_staff_record_an_opt_out_in_the_admin_and_the_log_lists_masked(client, root, accounts):
    client.force_login(root)
    response = client.post(reverse("admin:interop_smsoptout_add"), {"phone": "139-0000-0008"})
    assert response.status_code == 302
    assert SmsOptOut.objects.get(phone_hash=phone_key(RESIDENT_PHONE)).via == "staff"
    assert client.post(reverse("admin:interop_smsoptout_add"), {"phone": "12"}).status_code == 200  # the form's
    assert SmsOptOut.objects.count() == 1
    page = client.get(reverse("admin:interop_smsoptout_changelist")).content.decode()
    assert "139****0008" in page and RESIDENT_PHONE not in page
    assert client.get(reverse("admin:interop_smsmessage_changelist") + "?status=failed").status_code == 200
    assert client.get(reverse("admin:interop_smsmessage_add")).status_code == 403


def test_the_console_backend_writes_the_number_masked(settings, capsys, db):
    settings.SMS_BACKEND = "console"
    entry = sms_send(Contact("王秀兰", "13931001234"), "“楼道灯不亮”已收到", "needs.need:1")
    out = capsys.readouterr().out
    assert "139****1234" in out and "13931001234" not in out and "“楼道灯不亮”已收到回复TD退订" in out
    assert (entry.status, entry.backend) == (SmsStatus.SENT, "console")


class Provider:
    """A provider's own backend, named by its dotted path."""

    sent: list = []

    def send(self, phone, text):
        Provider.sent.append(phone)


def test_a_providers_class_is_named_by_its_dotted_path(settings, db):
    settings.SMS_BACKEND, Provider.sent = f"{__name__}.Provider", []
    entry = sms_send(Contact("王秀兰", "13931001234"), "测试", "needs.need:1")
    assert Provider.sent == ["13931001234"] and (entry.status, entry.backend) == (SmsStatus.SENT, settings.SMS_BACKEND)


@pytest.mark.parametrize("body, content_type", [
    ("not json", "application/json"), ("[1, 2]", "application/json"), ('{"phone": [1], "text": "TD"}',
                                                                       "application/json"),
    ('{"phone": "1390000000" , "text": null}', "application/json"),
    ("phone=" + "9" * 5000 + "&text=TD", "application/x-www-form-urlencoded"), ("", "text/plain")])
def test_a_reply_the_callback_cannot_read_is_answered_json_and_writes_nothing(client, settings, body, content_type):
    settings.SMS_HTTP_TOKEN = "gw-token"
    response = client.post(reverse("interop:sms_reply"), body, content_type=content_type,
                           HTTP_AUTHORIZATION="Bearer gw-token")
    assert response.status_code in (200, 400, 422) and response["Content-Type"].startswith("application/json")
    assert not SmsOptOut.objects.exists()


@pytest.mark.parametrize("as_json", [False, True])
def test_a_reply_with_a_nul_character_is_refused_in_json(client, settings, as_json):
    settings.SMS_HTTP_TOKEN = "gw-token"  # its digits alone would be another number
    fields = {"phone": "139\x000000008", "text": "TD"}
    response = client.post(reverse("interop:sms_reply"), json.dumps(fields) if as_json else fields,
                           **({"content_type": "application/json"} if as_json else {}),
                           HTTP_AUTHORIZATION="Bearer gw-token")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert not SmsOptOut.objects.exists()
