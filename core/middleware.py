"""Security headers on every response, pages and API alike.

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
