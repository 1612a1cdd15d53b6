"""What a webhook subscription may ask for and where it may point — the base that interop.services (checking a
subscription) and interop.webhooks (writing and sending the deliveries) both read:

- `EVENT_TYPES`: each type from the event that makes it (the verb, and the state it moved to).
- `target_refusal`: a URL on a private, loopback, link-local or reserved address is refused, when subscribing and
  again at each send (the name may resolve elsewhere by then), unless WEBHOOKS_ALLOW_PRIVATE.
- `wanted_types`: a per-process copy of the event types the active subscriptions want, read again after any
  change (`subscriptions_changed` bumps a version in Django's cache) and at least every minute (a cache of the
  process's own does not carry the version to the others), so that a change nobody listens to costs one cache
  read.
"""

import ipaddress
import socket
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from interop.models import WebhookSubscription
from meetings.models import ResolutionState
from needs.models import State as NeedState
from offers.models import BookingState


def _moved_to(prefix: str, state: str):
    """A workflow's event (need.*, booking.*) that moved its record into `state` (a rating of a closed need, which
    stays closed, is not a new closing)."""
    def rule(event) -> bool:
        data = event.data or {}
        return event.verb.startswith(prefix) and data.get("to") == state and data.get("from") != state
    return rule


def _activity_published(event) -> bool:
    """An activity created published, or one whose is_published was set (activity_update names its fields)."""
    data = event.data or {}
    return data.get("is_published") is True and (
        event.verb == "activity_create" or (event.verb == "activity_update" and "is_published" in data["fields"]))


def _resolution_adopted(event) -> bool:
    return event.verb == "resolution_decide" and (event.data or {}).get("state") == ResolutionState.ADOPTED


# The event types a subscription may ask for: what each says, and the events that make it.
EVENT_TYPES = {
    "need.submitted": (_("A need reported"), _moved_to("need.", NeedState.SUBMITTED)),
    "need.published": (_("A need published on the claim board"), _moved_to("need.", NeedState.PUBLISHED)),
    "need.claimed": (_("A need claimed"), _moved_to("need.", NeedState.CLAIMED)),
    "need.resolved": (_("A need resolved"), _moved_to("need.", NeedState.RESOLVED)),
    "need.closed": (_("A need closed"), _moved_to("need.", NeedState.CLOSED)),
    "booking.confirmed": (_("A booking confirmed"), _moved_to("booking.", BookingState.CONFIRMED)),
    "booking.cancelled": (_("A booking cancelled"), _moved_to("booking.", BookingState.CANCELLED)),
    "activity.published": (_("An activity published"), _activity_published),
    "resolution.adopted": (_("A resolution adopted"), _resolution_adopted),
}


def event_type_of(event) -> str | None:
    for name, (_label, rule) in EVENT_TYPES.items():
        if rule(event):
            return name
    return None


# --- Who listens: a per-process copy of the active subscriptions' event types ---

VERSION_KEY = "interop:webhooks:version"
# Without Redis the cache is each process's own (LocMemCache): a change bumps the version only where it was made, so
# every process also reads the subscriptions again once its copy is this old.
WANTED_MAX_AGE = 60  # seconds
_wanted = {"version": None, "types": frozenset(), "read_at": 0.0}


def subscriptions_changed() -> None:
    """Every process reads the subscriptions again at its next event. The services call it in their transaction
    (the writer's own later events see the change) and again on commit (others must not keep what they read
    before it committed)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def wanted_types() -> frozenset[str]:
    """The event types some active subscription wants. A cache read per event; the database only after a change
    (or when the cache lost the version: then a new one, so that every process reads again)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    if version != _wanted["version"] or time.monotonic() - _wanted["read_at"] > WANTED_MAX_AGE:
        types = set()
        for listed in WebhookSubscription.objects.filter(is_active=True).values_list("event_types", flat=True):
            types.update(listed)
        _wanted.update(version=version, types=frozenset(types), read_at=time.monotonic())
    return _wanted["types"]


# --- Where a message may go ---

def _is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified)


def target_refusal(url: str) -> str | None:
    """Why a message may not go to this URL (not http/https, a host that does not resolve, an address in a private,
    loopback, link-local or reserved range), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return str(_("The URL must be an http:// or https:// address."))
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError, UnicodeError):
        return str(_("The URL's host cannot be found."))
    if not all(_is_public_address(a) for a in addresses):
        return str(_("The URL is on a private, loopback or reserved network: webhooks go to public addresses "
                     "only."))
    return None
