import re
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST

from core.api import json_error
from core.checkpoints import checkpoint_public, key_id
from core.events import CITY_CHAIN, LEGACY_CHAIN
from core.models import Checkpoint, InboxLine
from core.params import BadInput

INBOX_PAGE_SIZE = 20


def forbidden(request, exception=None):
    """403 in the user's language, saying only that the page is outside their scope — nothing about it."""
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """A request Django refuses before any view (too many fields, a body too large, a bad host), or one a page
    cannot read (core.params.BadInput: its message is shown; Django's own reasons are not)."""
    if not hasattr(request, "user"):  # refused before the middleware that knows the user (a bad host)
        request.user = AnonymousUser()
    reason = exception.message if isinstance(exception, BadInput) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def server_error(request):
    return defaults.server_error(request)


# Fields never shown or sent again from the expired-form page: passwords, tokens, secrets.
_SECRET_FIELD = re.compile(r"pass|token|secret", re.IGNORECASE)
# A value that looks typed by a person (Chinese, spaces, punctuation), not a code, an id or a choice's key.
_MACHINE_VALUE = re.compile(r"[\w.:/+-]{0,40}", re.ASCII)


def _from_this_site(request) -> bool:
    """The post came from a page of this site (its Origin, or else its Referer, names our host)."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(source) and urlsplit(source).netloc == request.get_host()


def csrf_failure(request, reason=""):
    """A form whose security token expired (CSRF_FAILURE_VIEW): say so in the user's language and keep what was
    typed. A form of this site may be sent again with a fresh token; a post from another site is refused
    without showing or re-sending anything (re-sending it would do what that site wanted)."""
    same_site = _from_this_site(request)
    fields, typed, secret = [], [], False
    if same_site:
        for name, values in request.POST.lists():
            if name == "csrfmiddlewaretoken":
                continue
            if _SECRET_FIELD.search(name):
                secret = True
                continue
            for value in values:
                fields.append((name, value))
                if not _MACHINE_VALUE.fullmatch(value):
                    typed.append(value)
    referer = request.headers.get("Referer", "")
    back = referer if urlsplit(referer).netloc == request.get_host() else reverse("home")
    return render(request, "403_csrf.html", {
        "same_site": same_site, "fields": fields, "typed": typed, "resend": same_site and not secret,
        "files": bool(same_site and request.FILES), "action": request.get_full_path(), "back": back}, status=403)


@login_required
def inbox(request):
    """The user's notifications of every app, newest first; reading the list marks nothing read (that is a POST)."""
    unread_only = request.GET.get("unread") == "1"
    lines = InboxLine.objects.filter(user=request.user)
    if unread_only:
        lines = lines.filter(read_at__isnull=True)
    page = Paginator(lines, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def inbox_read(request):
    """Mark all of the user's notifications read."""
    InboxLine.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("All notifications are marked read."))
    return redirect("inbox")


@login_required
@require_POST
def inbox_open(request, pk):
    """Open a notification: mark it read, then show its page (a path on this site; anything else: the inbox)."""
    line = get_object_or_404(InboxLine, pk=pk, user=request.user)
    if line.read_at is None:
        line.read_at = timezone.now()
        line.save(update_fields=["read_at"])
    here = line.link.startswith("/") and url_has_allowed_host_and_scheme(line.link, allowed_hosts=None)
    return redirect(line.link if here else "inbox")


# --- The signed checkpoints, published for anyone (core.checkpoints, docs/verifiable-history.md) ----------------

CHECKPOINTS_PAGE_SIZE = 50
# A numbered checkpoint never changes: any copy may be kept for a year. The latest changes every
# CHECKPOINT_EVERY_MINUTES at most, so a minute's copy is never far behind.
NUMBERED_CACHE = "public, max-age=31536000, immutable"
LATEST_CACHE = "public, max-age=60"

_chain_labels: list[Callable[[list[str]], dict[str, str]]] = []


def chain_labels_register(function: Callable[[list[str]], dict[str, str]]) -> None:
    """The app that knows what a chain's name stands for (places: a subdistrict's code) gives its labels
    ({name: label}) to the checkpoints page; core knows only the names."""
    _chain_labels.append(function)


def _labels(names: list[str]) -> dict[str, str]:
    labels = {CITY_CHAIN: _("City (records in no subdistrict)"), LEGACY_CHAIN: _("Before the split (closed)")}
    for function in _chain_labels:
        labels.update(function([name for name in names if name not in labels]))
    return labels


@require_GET
def checkpoints(request):
    """What a checkpoint is, the latest one in full, and every earlier one paged, newest first."""
    latest = Checkpoint.objects.first()
    chains = []
    if latest is not None:
        labels = _labels([chain["name"] for chain in latest.chains])
        chains = [{**chain, "label": labels.get(chain["name"], "")} for chain in latest.chains]
    page = Paginator(Checkpoint.objects.only("at", "root", "public_key"), CHECKPOINTS_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "core/checkpoints.html", {
        "latest": latest, "published": latest and checkpoint_public(latest), "chains": chains, "page": page,
        "every": settings.CHECKPOINT_EVERY_MINUTES,
        "earlier": [(c, key_id(c.public_key)) for c in page],
        "latest_url": request.build_absolute_uri(reverse("checkpoint_latest"))})


def _checkpoint_json(checkpoint: Checkpoint, cache: str) -> JsonResponse:
    response = JsonResponse(checkpoint_public(checkpoint))
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"  # anyone's page or script may fetch and keep a copy
    return response


@require_GET
def checkpoint_latest(request):
    latest = Checkpoint.objects.first()
    if latest is None:
        return json_error(404, "还没有签署的检查点 / No checkpoint is signed yet")
    return _checkpoint_json(latest, LATEST_CACHE)


@require_GET
def checkpoint_json(request, number):
    checkpoint = Checkpoint.objects.filter(pk=number).first()
    if checkpoint is None:
        return json_error(404, f"没有第 {number} 号检查点 / No checkpoint No. {number}")
    return _checkpoint_json(checkpoint, NUMBERED_CACHE)
