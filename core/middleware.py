"""Security headers on every response, pages and API alike; and pages refusing a request with a NUL character.

Django 5.2 has no Content-Security-Policy of its own (6.0 will), so this adds it, with a Permissions-Policy.
The rest comes from Django's SecurityMiddleware and settings: Referrer-Policy (SECURE_REFERRER_POLICY),
X-Content-Type-Options, HSTS (SECURE_HSTS_SECONDS, when SECURE_COOKIES is on), X-Frame-Options.

The policy allows no inline script, no inline style and nothing from another origin: every script is a static
file, page data arrives as `json_script` (type application/json, which is data, not script), htmx's indicator
style is in minsheng.css (the htmx-config meta in base.html turns its injection off) and htmx evaluates no
attribute (allowEval off). Charts and maps are ECharts' SVG, styled through the DOM (element.style), which the
policy does not limit; their tooltips are built as elements (ledger/static/ledger/charts.js), since ECharts' own
markers are HTML with style attributes, which it does.
"""

from django.utils.translation import gettext as _

from core.api import is_api
from core.params import BadInput

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # data: URLs, which scripts and stylesheets use for small inlined images
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

# No page asks for the camera, the microphone or the location (a need's place is chosen from the places tree;
# photos are files picked with the file input, which needs no permission).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# Paths whose views refuse a NUL character themselves, in the error shape of their own protocol (Open311's list of
# errors, in XML or JSON): registered by the app that serves them (nul_refused_by_views_register, in its ready()).
NUL_REFUSED_BY_VIEWS: list[str] = []


def nul_refused_by_views_register(prefix: str) -> None:
    NUL_REFUSED_BY_VIEWS.append(prefix)


class NulRefusingMiddleware:
    """A page's request that carries a NUL character (\\0) — in its path, query string, form fields or the names
    of its files — is refused with a 400 page: PostgreSQL can neither store nor compare one, and no one types
    it. The API refuses it in its own JSON shape (core.api.NulRefusingParser), other protocols in theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request) and not request.path.startswith(tuple(NUL_REFUSED_BY_VIEWS)) and carries_nul(request):
            raise BadInput(_("The request holds a NUL character (\\0), which no one types: remove it and try "
                             "again."))
        return self.get_response(request)


def carries_nul(request) -> bool:
    forms = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values) for form in forms for key, values in form.lists()
    ) or request.method == "POST" and any("\x00" in (f.name or "") for f in request.FILES.values())
