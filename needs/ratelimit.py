"""A token bucket per client, kept in the database so that it works on the embedded default (SQLite, one
or several processes) as well as on PostgreSQL. Used for submissions (submission_allowed) and look-ups of a
tracking reference."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.network import client_ip
from needs.models import SubmissionBucket
from needs.permissions import is_recorder

CAPACITY = settings.NEEDS_SUBMIT_BURST  # submissions at once (default 5)
PER_HOUR = settings.NEEDS_SUBMIT_PER_HOUR  # refill rate (default 10 an hour)


def client_key(request) -> str:
    """The account, or the address for the public (the client's, behind a proxy too: as the login lockout reads
    it); hashed, so the table holds no IP addresses."""
    if request.user.is_authenticated:
        raw = f"user:{request.user.pk}"
    else:
        raw = "ip:" + client_ip(request)
    return hashlib.sha256(raw.encode()).hexdigest()


def submission_allowed(request) -> bool:
    """Take one submission from the submitter's bucket: one bucket per account (per address for the public)
    whatever the channel — the form, the QR form, the API — and whatever the role. Unit admins and party
    members are limited like residents: they submit for themselves. Staff who record needs for residents
    (subdistrict admins, community staff, grid workers: needs.permissions.is_recorder) are not: a grid
    worker's door-to-door survey (排摸) records dozens of needs in an afternoon, each for a resident."""
    return is_recorder(request.user) or bucket_take(client_key(request))


def bucket_take(key: str, *, capacity: float = CAPACITY, per_hour: float = PER_HOUR) -> bool:
    """Take one token from the client's bucket; False when it is empty (the client must wait)."""
    now = timezone.now()
    with transaction.atomic():
        bucket, _ = SubmissionBucket.objects.select_for_update().get_or_create(
            key=key, defaults={"tokens": capacity, "updated_at": now})
        elapsed_hours = max(0.0, (now - bucket.updated_at).total_seconds() / 3600)
        tokens = min(capacity, bucket.tokens + elapsed_hours * per_hour)
        if tokens < 1:
            return False
        bucket.tokens, bucket.updated_at = tokens - 1, now
        bucket.save(update_fields=["tokens", "updated_at"])
        return True
