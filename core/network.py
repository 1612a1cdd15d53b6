"""The client's address: what django-axes locks out by and what the public submission limit counts.

Behind nginx (BEHIND_PROXY) every request comes from the proxy, so the client is the last address of
X-Forwarded-For — the one nginx itself appended ($proxy_add_x_forwarded_for); any earlier entries were sent by
the client and prove nothing. Without a proxy it is REMOTE_ADDR, and X-Forwarded-For is ignored (anyone can
send it).
"""

from django.conf import settings


def client_ip(request) -> str:
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")
