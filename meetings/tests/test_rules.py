"""Quorum and passing rules as fractions: the fewest present, whether the votes pass, and the rules in words."""

import pytest
from django.utils import translation

from meetings.models import Body
from meetings.rules import passes, quorum_needed, rule_words


def body(**rules) -> Body:
    return Body(**rules)


@pytest.mark.parametrize(("rules", "members", "needed"), [
    ({}, 15, 8), ({}, 14, 8), ({}, 4, 3), ({}, 1, 1),
    ({"quorum_numerator": 2, "quorum_denominator": 3, "quorum_strict": False}, 28, 19),
    ({"quorum_numerator": 2, "quorum_denominator": 3, "quorum_strict": False}, 3, 2),
    ({"quorum_numerator": 2, "quorum_denominator": 3, "quorum_strict": True}, 3, 3),
    ({"quorum_numerator": 1, "quorum_denominator": 1, "quorum_strict": False}, 5, 5),
])
def test_the_fewest_present(rules, members, needed):
    assert quorum_needed(body(**rules), members) == needed


def test_passing_by_those_present_or_by_all_members():
    default = body()
    assert passes(default, 5, 9, 15) and not passes(default, 4, 8, 15) and not passes(default, 0, 0, 15)
    of_all = body(pass_base="members")
    assert not passes(of_all, 5, 9, 15) and passes(of_all, 8, 9, 15)
    two_thirds = body(pass_numerator=2, pass_denominator=3, pass_strict=False)
    assert passes(two_thirds, 6, 9, 15) and not passes(two_thirds, 5, 9, 15)


def test_the_rules_in_words():
    with translation.override("zh-hans"):
        assert rule_words(body()) == "超过半数成员出席；出席成员超过半数同意为通过"
        assert rule_words(body(quorum_numerator=2, quorum_denominator=3, quorum_strict=False, pass_base="members")
                          ) == "至少2/3成员出席；全体成员超过半数同意为通过"
