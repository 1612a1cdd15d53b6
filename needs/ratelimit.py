"""A token bucket per client, kept in the database so that it works on the embedded default (SQLite, one
or several processes) as well as on PostgreSQL. Used for public (and resident) submissions."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from needs.models import SubmissionBucket

CAPACITY = settings.NEEDS_SUBMIT_BURST  # submissions at once (default 5)
PER_HOUR = settings.NEEDS_SUBMIT_PER_HOUR  # refill rate (default 10 an hour)


def client_key(request) -> str:
    """The account, or the address for the public; hashed, so the table holds no IP addresses."""
    if request.user.is_authenticated:
        raw = f"user:{request.user.pk}"
    else:
        raw = "ip:" + request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(raw.encode()).hexdigest()


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
