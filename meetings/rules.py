"""A body's quorum and voting rules, read from its data (`Body.quorum_*`, `Body.pass_*`), and their words.

A rule is a share of a base: more than (strict) or at least numerator/denominator of it. The quorum's base is the
members invited to the meeting (its current members, 应到); passing counts the votes for against those present or
all members (`pass_base`). The default, as for residents' meetings: more than half present, more than half of
those present for.
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from meetings.models import Meeting, PassBase, Presence


def _meets(count: int, base: int, numerator: int, denominator: int, strict: bool) -> bool:
    # count/base compared with numerator/denominator in integers: no rounding.
    return count * denominator > numerator * base if strict else count * denominator >= numerator * base


def _smallest(base: int, numerator: int, denominator: int, strict: bool) -> int:
    product = numerator * base
    return product // denominator + 1 if strict else -(-product // denominator)


def quorum_needed(body, members: int) -> int:
    """The fewest present that meet the quorum of a meeting of `members` members."""
    return _smallest(members, body.quorum_numerator, body.quorum_denominator, body.quorum_strict)


def passes(body, votes_for: int, present: int, members: int) -> bool:
    base = members if body.pass_base == PassBase.MEMBERS else present
    return base > 0 and _meets(votes_for, base, body.pass_numerator, body.pass_denominator, body.pass_strict)


def _fraction(numerator: int, denominator: int) -> str:
    if numerator == denominator:
        return pgettext("share", "all")
    if 2 * numerator == denominator:
        return pgettext("share", "half")
    return f"{numerator}/{denominator}"


def share_words(numerator: int, denominator: int, strict: bool) -> str:
    """超过半数, 至少2/3 …"""
    fraction = _fraction(numerator, denominator)
    return (_("more than %(fraction)s") if strict else _("at least %(fraction)s")) % {"fraction": fraction}


def counts(meeting: Meeting) -> tuple[int, int]:
    """(present, members invited) of a meeting, as recorded."""
    presences = list(meeting.attendances.values_list("presence", flat=True))
    return sum(p == Presence.PRESENT for p in presences), len(presences)


def quorum_refusal(meeting: Meeting) -> str | None:
    """Why the meeting may not decide (too few present, in numbers), or None when its quorum is met."""
    body = meeting.body
    present, members = counts(meeting)
    needed = quorum_needed(body, members)
    if members and present >= needed:
        return None
    share = share_words(body.quorum_numerator, body.quorum_denominator, body.quorum_strict)
    return _("%(present)d present of %(members)d members: %(share)s (at least %(needed)d) must be present to "
             "vote.") % {"present": present, "members": members, "share": share, "needed": needed}


def rule_words(body) -> str:
    """过半数成员出席；出席成员过半数同意为通过 — for the body's page."""
    quorum = share_words(body.quorum_numerator, body.quorum_denominator, body.quorum_strict)
    passing = share_words(body.pass_numerator, body.pass_denominator, body.pass_strict)
    base = _("of all members") if body.pass_base == PassBase.MEMBERS else _("of the members present")
    return _("%(quorum)s of the members present; passed with %(passing)s %(base)s for") % {
        "quorum": quorum, "passing": passing, "base": base}
