"""SMS: the sender core.notify calls for each message its caller marked `sms` (registered in InteropConfig.ready())
and the backends that hand a text to a carrier.

The sender finds the phone (a Contact's; an account's person's), skips a number that opted out, sends through
the backend of settings.SMS_BACKEND and writes one SmsMessage per message (the send log: the number masked).
It never raises: one unreachable gateway must not stop the other messages of core.notify's batch.

A backend is a class with `send(phone, text)` that returns once the text is handed over and raises otherwise:
`console` (stdout, the number masked: the demo's), `file` (a JSON line per message in SMS_FILE_DIR/sms.jsonl,
the full number since it is the outbound message itself: what tests read), `http` (a generic gateway), or a
provider's own class by dotted path. Texts over 70 Chinese characters are sent as they are: the carrier splits
them (and bills each part).
"""

import json
import logging
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.notify import Contact
from interop.models import SmsMessage, SmsOptOut, SmsStatus
from interop.services import phone_key
from people.masking import mask_phone
from people.models import Person

log = logging.getLogger(__name__)


class ConsoleBackend:
    """Writes each message to stdout, the number masked (the demo's backend: a console is a log)."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS to {mask_phone(phone)}: {text}\n")
        sys.stdout.flush()


class FileBackend:
    """Appends one JSON line per message to SMS_FILE_DIR/sms.jsonl, the full number: the message itself."""

    def send(self, phone: str, text: str) -> None:
        settings.SMS_FILE_DIR.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False)
        with open(settings.SMS_FILE_DIR / "sms.jsonl", "a", encoding="utf-8") as file:
            file.write(line + "\n")


class HttpBackend:
    """A generic HTTP gateway: POST JSON {"phone", "text", "sign"} to SMS_HTTP_URL with the bearer SMS_HTTP_TOKEN;
    any answer but 2xx, or none within SMS_HTTP_TIMEOUT, is a failure. The text already begins with the
    signature; `sign` repeats it for gateways that want it apart."""

    def send(self, phone: str, text: str) -> None:
        if not settings.SMS_HTTP_URL:
            raise RuntimeError("SMS_HTTP_URL is not set")
        body = json.dumps({"phone": phone, "text": text, "sign": settings.SMS_SIGNATURE}, ensure_ascii=False)
        request = urllib.request.Request(settings.SMS_HTTP_URL, data=body.encode(), method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_HTTP_TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as error:  # urllib raises on 4xx and 5xx
            status = error.code
        if not 200 <= status < 300:
            raise RuntimeError(f"the gateway answered {status}")


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "http": HttpBackend}


def backend():
    return (BACKENDS.get(settings.SMS_BACKEND) or import_string(settings.SMS_BACKEND))()


def phone_of(recipient) -> str:
    """A Contact's phone, or the phone of the account's person (none: "")."""
    if isinstance(recipient, Contact):
        return recipient.phone
    return Person.objects.filter(user=recipient).values_list("phone", flat=True).first() or ""


def sms_text(text: str) -> str:
    """What the phone shows: the signature, the notice and how to stop them (a carrier's rule for every SMS)."""
    return f"{settings.SMS_SIGNATURE}{text}{_('Reply TD to unsubscribe')}"


def sms_send(recipient, text: str, subject: str) -> SmsMessage:
    """Send one notification by SMS and log what became of it; never raises."""
    phone, body = phone_of(recipient), sms_text(text)
    entry = SmsMessage(user=None if isinstance(recipient, Contact) else recipient, phone_masked=mask_phone(phone),
                       subject=subject, text=body, backend=settings.SMS_BACKEND, at=timezone.now())
    if not phone:
        entry.status = SmsStatus.NO_PHONE
    elif SmsOptOut.objects.filter(phone_hash=phone_key(phone)).exists():
        entry.status = SmsStatus.OPTED_OUT
    else:
        try:
            backend().send(phone, body)
            entry.status = SmsStatus.SENT
        except Exception as error:  # any backend's failure is logged, and the next message still goes
            log.warning("SMS to %s (%s) could not be sent: %s", entry.phone_masked, subject, error)
            entry.status, entry.error = SmsStatus.FAILED, str(error)[:300] or type(error).__name__
    try:
        entry.save()
    except Exception:  # the log is lost, not the other messages
        log.exception("SMS log of %s (%s) could not be written", entry.phone_masked, subject)
    return entry
