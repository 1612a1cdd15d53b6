from django.db import models
from django.db.models import Q

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


class Event(models.Model):
    """The append-only, hash-chained log of every write: who did what to which record, and when.

    Each event's hash covers its own content and the previous event's hash, so changing or deleting
    any past event breaks every hash after it (see `manage.py verify_events`).
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    verb = models.CharField(max_length=50)
    subject_type = models.CharField(max_length=50)
    subject_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.subject_type}#{self.subject_id}"
