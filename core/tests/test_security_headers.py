"""Security headers (core/middleware.py and Django's SecurityMiddleware) on pages and API answers; HSTS only over
HTTPS; the session's lifetime; and no template carries what the Content-Security-Policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in response.headers["Content-Security-Policy"].split("; ")}


def test_a_page_carries_the_policies(client):
    response = client.get(reverse("home"))
    csp = policy(response)
    assert csp["default-src"] == csp["script-src"] == csp["style-src"] == "'self'"
    assert (csp["object-src"], csp["frame-ancestors"], csp["base-uri"], csp["form-action"]) == (
        "'none'", "'none'", "'self'", "'self'")
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_api_answer_carries_them_too(client):
    response = client.get("/api/v1/places")
    assert response.status_code == 401 and response.json()["detail"]
    assert policy(response)["script-src"] == "'self'"
    assert response.headers["Permissions-Policy"] and response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_is_sent_only_over_https_when_it_is_on(client, settings):
    assert "Strict-Transport-Security" not in client.get(reverse("home"), secure=True).headers  # the default: off
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600  # what SECURE_COOKIES=true sets (minsheng/tests/test_settings.py)
    secure = Client()  # SecurityMiddleware reads the setting when a client's first request loads the middleware
    assert secure.get(reverse("home"), secure=True).headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains")
    assert "Strict-Transport-Security" not in secure.get(reverse("home")).headers  # plain http: never


def test_a_session_lasts_session_hours(client, accounts):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600  # SESSION_HOURS' default
    response = client.post(reverse("login"), {"username": "tqjy_staff", "password": "pass-12345"})
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 12 * 3600
    assert client.session.get_expiry_age() == 12 * 3600


# What the policy blocks, as it would appear in a template: a <script> with content (json_script's
# type="application/json" is data and allowed), an on…= handler, a style attribute or element, htmx's hx-on and a
# trigger filter (`keydown[key=='Enter']`), both of which htmx evaluates as code.
BLOCKED = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"),
    "event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.S),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.S),
    "style element": re.compile(r"<style[\s>]"),
    "hx-on": re.compile(r"\shx-on[:-]"),
    "trigger filter": re.compile(r"hx-trigger=\"(?:[^\"]*,)?\s*[\w:.-]+\["),  # an event's [...], not from:find a[b]
}
# Rendered to PDF by WeasyPrint, never served to a browser.
NOT_SERVED = {"ledger/templates/ledger/pdf.html"}


def test_no_template_carries_what_the_policy_blocks():
    found = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        name = str(path.relative_to(ROOT))
        if name.startswith((".venv", "var")) or name in NOT_SERVED:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{name}: {what}" for what, pattern in BLOCKED.items() if pattern.search(text)]
    assert found == []


def test_the_patterns_find_what_they_look_for():
    samples = {"inline script": "<script>alert(1)</script>", "event handler": '<input type="checkbox" onclick="x()">',
               "style attribute": '<div style="color: red">', "style element": "<style>p {}</style>",
               "hx-on": '<input hx-on:keydown="x">',
               "trigger filter": '<input hx-trigger="input, keydown[key==\'Enter\']">'}
    assert {what for what, text in samples.items() if BLOCKED[what].search(text)} == set(BLOCKED)
    allowed = ('<script src="/static/x.js" defer></script><script id="d" type="application/json">{}</script>'
               '<input hx-trigger="input changed delay:250ms, search"> <a data-on="1">'
               '<form hx-trigger="input changed delay:300ms from:find input[type=search], change from:find select">')
    assert [what for what, pattern in BLOCKED.items() if pattern.search(allowed)] == []
