"""The ledger's roll-ups: the need figures summed ahead, kept exact by `ledger.rollups` in the same
transaction as every change to a need (needs.services.need_act calls `rollups.need_changed`).

A need found in the period adds its figures (found, claimed, resolved, …, see ledger.selectors) to rows
keyed by **where** — every place it lies in, by code: its city, district, subdistrict, community, grid and
so on down to its own place — and **when** — the day it was found and that day's month. A rejected or
merged need adds its `rejected` / `merged` count the same way, by the day it was turned away. So a ledger
reads, for its scope, the month rows of the whole months of its period and the day rows of the days left
over: about a dozen rows for a year, whatever the number of needs.
"""

from django.db import models

from needs.models import Need

GRAINS = (("d", "day"), ("m", "month"))

# The counters of a Tally row, named as the ledger's figures (ledger.selectors.NEED_FIGURES and the rest).
TALLY_COUNTERS = (
    "found", "claimed", "resolved", "on_time", "responded", "rated", "escalated", "overdue",
    "rating_very_satisfied", "rating_satisfied", "rating_fairly_satisfied", "rating_unsatisfied",
    "reopened", "affected", "deeds", "rejected", "merged",
)
HOLDER_COUNTERS = ("claimed", "resolved", "helped")


class Tally(models.Model):
    """Need figures of one place (and everything inside it) on one day or in one month; either summed over
    every category, channel and concern level (`total`), or for one combination of them."""

    code = models.CharField(max_length=23)  # a place's code: the row counts the needs inside that place
    # The depth the row counts at: len(code), except that a need placed above a grid is also counted under
    # its own code at the grid and community depths, for the breakdowns "by grid" and "by community".
    level = models.PositiveSmallIntegerField()
    grain = models.CharField(max_length=1, choices=GRAINS)
    day = models.DateField()  # the day (Beijing time), or the first day of the month
    # 1: the row sums every category, channel and concern level; 0: one combination of them. A number, not a
    # boolean: SQLite's planner seeks an index on "total = 1", not on a bare boolean column.
    total = models.PositiveSmallIntegerField()
    # Plain values, not foreign keys: 0 and "" stand for "any" in the total rows and for "not classified",
    # so that the upsert's key never holds a NULL (NULLs never conflict).
    category = models.IntegerField(default=0)
    channel = models.CharField(max_length=12, default="")
    concern_level = models.CharField(max_length=10, default="")
    found = models.IntegerField(default=0)
    claimed = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    rating_very_satisfied = models.IntegerField(default=0)
    rating_satisfied = models.IntegerField(default=0)
    rating_fairly_satisfied = models.IntegerField(default=0)
    rating_unsatisfied = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    affected = models.IntegerField(default=0)
    deeds = models.IntegerField(default=0)  # resolved and public: the deeds the public ledger lists
    rejected = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["code", "level", "total", "grain", "day", "category", "channel", "concern_level"],
            name="one_tally_row")]
        # The scope's rows are served by the unique index; this one serves "by community" and "by grid".
        indexes = [models.Index(fields=["level", "total", "grain", "code", "day"], name="tally_children")]

    def __str__(self):
        return f"{self.code} {self.grain} {self.day}"


class HolderTally(models.Model):
    """What one unit or member did on the needs found in one place on one day or in one month: needs they
    lead that are claimed, of those resolved, and needs they help with as a collaborating unit."""

    code = models.CharField(max_length=23)
    level = models.PositiveSmallIntegerField()  # len(code)
    grain = models.CharField(max_length=1, choices=GRAINS)
    day = models.DateField()
    organisation = models.IntegerField(default=0)  # an Organisation's id, or 0
    person = models.IntegerField(default=0)  # a Person's id, or 0
    claimed = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    helped = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "grain", "day", "organisation", "person"],
                                               name="one_holder_tally_row")]

    def __str__(self):
        return f"{self.code} {self.grain} {self.day} {self.organisation or self.person}"


class Deed(models.IntegerChoices):
    NONE = 0
    PRIVATE = 1  # resolved, listed on staff pages only
    PUBLIC = 2  # resolved and public: listed on the public ledger too


class Contribution(models.Model):
    """What one need adds to the roll-ups now, kept so that its next change subtracts exactly that; and, for
    a resolved need found in a scope and period, the narrow index the deeds list is paged from."""

    need = models.OneToOneField(Need, primary_key=True, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField()
    deed = models.PositiveSmallIntegerField(choices=Deed.choices, default=Deed.NONE)
    code = models.CharField(max_length=23, blank=True)  # the need's place, for deeds
    day = models.DateField(null=True)  # the day it was found, for deeds
    resolved_at = models.DateTimeField(null=True)

    class Meta:
        # Covers the deeds list (filter, sort, pick the page's ids) without reading the table.
        indexes = [models.Index(fields=["deed", "day", "code", "resolved_at", "need"], name="deeds_by_day_page")]

    def __str__(self):
        return str(self.need_id)
