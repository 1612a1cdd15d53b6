import re
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.urls import reverse
from django.views import defaults

from core.params import BadInput


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
