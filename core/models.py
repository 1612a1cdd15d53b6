from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.pinyin import pinyin_key


class PinyinSearchable(models.Model):
    """A model with a name that can be found by Chinese text, full pinyin or pinyin initials."""

    pinyin = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pinyin = pinyin_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "pinyin"}
        super().save(*args, **kwargs)

    @classmethod
    def search_q(cls, q: str) -> Q:
        """Name contains q, or the pinyin key contains q (spaces ignored, case-insensitive)."""
        q = (q or "").strip()
        if not q:
            return Q()
        compact = q.replace(" ", "").lower()
        return Q(name__icontains=q) | Q(pinyin__contains=compact)


class Chain(models.Model):
    """One hash chain of the event log (core.events): a subdistrict's, named by its code, for the records placed
    in it; the city's for the rest; and `legacy`, the single chain of every event before chains were split, closed,
    whose last hash is where every other chain begins. Its row is the chain's head and length, locked by each
    append, so appends in different chains never wait for each other."""

    name = models.CharField(primary_key=True, max_length=12)
    origin = models.CharField(max_length=64)  # the hash the chain's first event follows
    length = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64)  # the last event's hash (the origin while it has none)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.length})"


class Event(models.Model):
    """The append-only, hash-chained log of every write: who did what to which record, and when.

    Each event's hash covers its own content and the previous event's hash in its chain, so changing or deleting
    any past event breaks every hash after it; signed checkpoints (core.checkpoints) publish each chain's length
    and head, so a rewrite or a truncation is found too (see `manage.py verify_events`).
    """

    chain = models.CharField(max_length=12)
    seq = models.PositiveBigIntegerField()  # the event's position in its chain, from 1
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    verb = models.CharField(max_length=50)
    subject_type = models.CharField(max_length=50)
    subject_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    # Random, hashed with the actor and the data (core.events.event_private), so that a published digest of them
    # cannot be matched by trying every account and the few details a step can have; empty in the legacy chain.
    salt = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"])]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="event_chain_seq")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.subject_type}#{self.subject_id}"


class Checkpoint(models.Model):
    """A signed statement of every chain's length and head at one moment (core.checkpoints), published so that
    anyone can keep copies: a later rewrite or truncation of the log no longer matches them."""

    at = models.DateTimeField()
    chains = models.JSONField()  # [{"name", "origin", "length", "head"}], by name
    root = models.CharField(max_length=64)  # the Merkle root over the chains
    public_key = models.CharField(max_length=64)  # the Ed25519 public key that signed it, hex
    signature = models.CharField(max_length=128)  # Ed25519, hex

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.root[:12]}"


class InboxLine(models.Model):
    """One line in an account's in-app inbox (core.notify): what happened to which record, the page it links to.
    Every app's notices are lines here — a need's step, a booking's, a station's low stock — so the header counts
    them all and the inbox lists them together. The text names records, never people."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="inbox_lines")
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=200)  # a path on this site: /needs/12/, /offers/bookings/3/
    subject = models.CharField(max_length=60)  # the record: "needs.need:12" (core.notify.subject_key)
    verb = models.CharField(max_length=40)
    at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at", "-id"], name="inbox_line_list"),
                   models.Index(fields=["user", "read_at", "-at"], name="inbox_line_unread"),
                   models.Index(fields=["subject"], name="inbox_line_subject")]

    def __str__(self):
        return self.text


class OutboxMessage(models.Model):
    """A message the gateway has yet to send (core.notify): written in the action's transaction beside its inbox
    lines, deleted once sent. A task lost on the way (the huey consumer killed while it ran, a web worker killed
    between the commit and the enqueue) leaves its messages here, and the minutely resend sends them. The
    recipient is an account, or a contact without one (the name and phone someone left on their need)."""

    user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact_name = models.CharField(max_length=50, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    subject = models.CharField(max_length=60)
    text = models.TextField()
    sms = models.BooleanField(default=False)  # also by SMS: the caller said it needs one (core.notify)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)  # a sender took it then

    class Meta:
        verbose_name = _("message to send")
        verbose_name_plural = _("messages to send")
        indexes = [models.Index(fields=["created_at"], name="outbox_waiting")]

    def __str__(self):
        return self.text[:60]
