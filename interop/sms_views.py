"""The SMS pages: a resident's own switch (短信通知: stop or resume SMS to their account's phone) and the gateway's
reply callback (回复TD退订). Thin: the services write, interop.sms finds the phone."""

import json
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.api import json_error
from core.middleware import carries_nul
from core.params import BadInput
from interop.models import SmsOptOut
from interop.services import phone_key, sms_opt_in, sms_opt_out
from interop.sms import phone_of
from people.masking import mask_phone

STOP_WORDS = {"TD", "T", "退订", "N"}  # what carriers accept as a reply that stops SMS


@login_required
def sms_settings(request):
    """The account's phone (masked), whether SMS reach it, and the switch."""
    phone = phone_of(request.user)
    if request.method == "POST":
        choice = request.POST.get("sms", "")
        if not phone or choice not in {"stop", "resume"}:
            raise BadInput(_("Choose to stop or to resume SMS to the phone on your account."))
        if choice == "stop":
            sms_opt_out(actor=request.user, phone=phone, via="account")
            messages.success(request, _("No more SMS will be sent to %(phone)s. Notifications stay in your inbox.")
                             % {"phone": mask_phone(phone)})
        else:
            sms_opt_in(actor=request.user, phone=phone)
            messages.success(request, _("SMS will be sent to %(phone)s again.") % {"phone": mask_phone(phone)})
        return redirect("interop:sms")
    opted_out = bool(phone) and SmsOptOut.objects.filter(phone_hash=phone_key(phone)).exists()
    return render(request, "interop/sms.html", {"phone": mask_phone(phone), "opted_out": opted_out})


def _reply_fields(request) -> dict:
    if request.content_type == "application/json":
        try:
            fields = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return fields if isinstance(fields, dict) else {}
    return request.POST


@csrf_exempt  # called by the SMS gateway, which sends the bearer token instead of a session
def sms_reply(request):
    """A reply the gateway received (`phone`, `text`): TD / 退订 opts the number out. Answers JSON."""
    if request.method != "POST":
        return json_error(405)
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not settings.SMS_HTTP_TOKEN or not secrets.compare_digest(token.encode(), settings.SMS_HTTP_TOKEN.encode()):
        return json_error(403)
    fields = _reply_fields(request)
    phone, text = str(fields.get("phone", "")), str(fields.get("text", ""))
    if carries_nul(request) or "\x00" in phone + text:  # no one types one; its digits would be another number
        return json_error(400)
    if re.sub(r"\s", "", text).upper() not in STOP_WORDS:
        return JsonResponse({"opted_out": False})
    try:
        sms_opt_out(actor=None, phone=phone, via="reply")
    except ValidationError as error:  # not a phone number
        return json_error(422, "；".join(error.messages))
    return JsonResponse({"opted_out": True})
