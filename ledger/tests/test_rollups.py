"""The roll-ups are exact: random sequences of actions by random roles on needs in several places, over
months and a year boundary; after every step every need figure the ledger reads from the roll-ups equals
the same figure computed straight from the needs (ledger/tests/direct.py), for every scope and for
periods of a day, a month, a quarter, a year and odd ranges; and a rebuild from scratch gives the very
rows the actions left."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ledger import builders, periods, rollups, selectors
from ledger.builders import LedgerScope
from ledger.models import Contribution, HolderTally, Tally
from ledger.sections import figures_by_key, ledger_build
from ledger.tests import direct
from ledger.tests.conftest import TZ
from needs import workflow
from needs.models import Category, Need
from needs.permissions import system_user
from needs.services import NeedConflict, need_act, need_submit
from needs.tests import conftest as needs_fixtures
from needs.tests.test_lifecycle_stateful import DETOURS, HOLDER_ACTIONS, MAY
from people.scopes import person_of

ACTIONS = sorted(a for a in workflow.ACTIONS if a != "submit")
ROLES = sorted(MAY)
PLACES = ("building", "entrance", "tqjy", "compound2", "grid1")  # tqjy: a need placed above any grid
SCOPES = ("city", "subdistrict", "tqjy", "wlpd", "grid1", "grid2")
START = datetime.datetime(2021, 6, 28, 9, 0, tzinfo=TZ)
department, second_unit = needs_fixtures.department, needs_fixtures.second_unit  # the needs tests' fixtures


def production(scope: LedgerScope) -> dict:
    """The figures the ledger shows, in the oracle's shapes (ledger/tests/direct.py)."""
    built = {key: compute(scope) for key, compute in (("trend", builders.trend_section),
                                                      ("breakdowns", builders.breakdowns_section),
                                                      ("active", builders.active_section))}
    trend = [{"month": row["label"], **{k: row[k] for k in ("found", "claimed", "resolved")}}
             for row in built["trend"].tables[0].rows]
    breakdowns = {t.key: sorted((next(iter(row["filter"].values())) or 0,
                                 *(row[c] for c in selectors.BREAKDOWN_COLUMNS)) for row in t.rows)
                  for t in built["breakdowns"].tables}
    units, members = built["active"].tables
    return {"tally": selectors.tally(scope.place, scope.period), "trend": trend, "breakdowns": breakdowns,
            "active": {"units": [(r["filter"]["unit"], r["claimed"], r["resolved"], r["helped"]) for r in units.rows],
                       "members": [(r["filter"]["member"], r["claimed"], r["resolved"]) for r in members.rows]},
            "deeds": {public: [n.pk for n in selectors.deeds(scope.place, scope.period, public=public, limit=3)]
                      for public in (True, False)},
            "all_deeds": [n.pk for n in selectors.deeds(scope.place, scope.period, public=False)]}


def oracle(scope: LedgerScope) -> dict:
    return {"tally": direct.tally(scope), "trend": direct.trend(scope), "breakdowns": direct.breakdowns(scope),
            "active": direct.active(scope, builders.ACTIVE_LIMIT),
            "deeds": {public: direct.deeds(scope, public=public, limit=3) for public in (True, False)},
            "all_deeds": direct.deeds(scope, public=False, limit=None)}


def stored_rows() -> dict:
    """Every roll-up row that counts something, and every need's kept contribution."""
    return {
        "tally": sorted(tuple(row) for row in Tally.objects.values_list(*rollups.TALLY_KEY, *rollups.TALLY_COUNTERS)
                        if any(row[len(rollups.TALLY_KEY):])),
        "holders": sorted(tuple(row) for row in HolderTally.objects.values_list(
            *rollups.HOLDER_KEY, *rollups.HOLDER_COUNTERS) if any(row[len(rollups.HOLDER_KEY):])),
        "contributions": dict(Contribution.objects.values_list("need_id", "data")),
    }


@pytest.mark.django_db
def test_it_keeps_every_need_figure_equal_to_the_direct_count(accounts, tree, unit, category, second_unit,
                                                              department):
    categories = [category, Category.objects.get_or_create(name="环境卫生")[0]]
    member = person_of(accounts["party_member"])

    class Ledger(RuleBasedStateMachine):
        @initialize()
        def start(self):
            self.clock = START
            self.needs = []

        def tick(self, data):
            self.clock += data.draw(st.sampled_from([datetime.timedelta(minutes=30), datetime.timedelta(hours=20),
                                                     datetime.timedelta(days=4), datetime.timedelta(days=13)]))
            return self.clock

        @precondition(lambda self: len(self.needs) < 6)
        @rule(place=st.sampled_from(PLACES), channel=st.sampled_from(["hotline", "qr", "field_visit"]),
              public=st.booleans(), affected=st.integers(1, 3), data=st.data())
        def submit(self, place, channel, public, affected, data):
            need = need_submit(actor=accounts["resident"], at=self.tick(data), title=f"需求{len(self.needs)}",
                               place=tree[place], channel=channel, is_public=public, affected=affected)
            self.needs.append(need.pk)

        def fields_for(self, action, pk, data):
            others = [n for n in self.needs if n != pk] or [pk]
            grade = st.sampled_from(["very_satisfied", "satisfied", "fairly_satisfied", "unsatisfied"])
            holder = data.draw(st.sampled_from([{"organisation": unit["organisation"]},
                                                {"organisation": department["organisation"]}, {"person": member},
                                                {}]))
            return {
                "accept": {"category": data.draw(st.sampled_from(categories)),
                           "concern_level": data.draw(st.sampled_from(["annoyance", "worry", "anguish"]))},
                "merge": {"into": data.draw(st.sampled_from(others))},
                "dispatch": holder, "add_collaborator": {"organisation": second_unit},
                "resolve": {"note": "已完成", "evidence": "签字"},
                "rate": {"rating": data.draw(grade)}, "follow_up": {"rating": data.draw(grade)},
            }.get(action, {"note": "说明"})

        def act(self, action, role, index, data):
            if not self.needs:
                return
            pk = self.needs[index % len(self.needs)]
            actor = system_user() if role == "system" else accounts[role]
            try:
                need_act(actor=actor, need=Need.objects.get(pk=pk), action=action, at=self.tick(data),
                         **self.fields_for(action, pk, data))
            except (PermissionDenied, ValidationError, NeedConflict):
                pass

        @rule(action=st.sampled_from(ACTIONS), role=st.sampled_from([*ROLES, "system"]), index=st.integers(0, 5),
              data=st.data())
        def act_at_random(self, action, role, index, data):
            self.act(action, role, index, data)

        @rule(index=st.integers(0, 5), data=st.data())
        def act_plausibly(self, index, data):
            """An action the state allows, by a role that might take it, mostly forward."""
            if not self.needs:
                return
            state = Need.objects.get(pk=self.needs[index % len(self.needs)]).state
            actions = [a for a in workflow.actions_from(state) if a in ACTIONS and a not in ("remind", "flag_overdue")]
            if not actions:
                return
            if data.draw(st.integers(0, 3)) > 0:
                actions = [a for a in actions if a not in DETOURS] or actions
            action = data.draw(st.sampled_from(actions))
            roles = [r for r in ROLES if action in MAY[r]]
            if action in HOLDER_ACTIONS or not roles:
                roles += ["unit_admin", "party_member"]
            if action == "dispatch" or data.draw(st.booleans()):
                roles.append("subdistrict_admin")  # the department and the other community's needs
            self.act(action, data.draw(st.sampled_from(roles)), index, data)

        @rule(index=st.integers(0, 5), data=st.data())
        def sweep(self, index, data):
            """The deadline sweep flags a need overdue (when it is)."""
            self.act("flag_overdue", "system", index, data)

        @rule()
        def rebuild_gives_the_same_rows(self):
            kept = stored_rows()
            rollups.rebuild()
            assert stored_rows() == kept

        @invariant()
        def every_figure_equals_the_direct_count(self):
            if not getattr(self, "needs", None):
                return
            today = self.clock.date()
            for period in (periods.year(today.year), periods.month(today.year, today.month),
                           periods.quarter(today.year, (today.month - 1) // 3 + 1),
                           periods.Period(datetime.date(2021, 6, 29), today), periods.Period(today, today),
                           periods.Period(datetime.date(2021, 7, 3), max(today, datetime.date(2021, 9, 2)))):
                for name in SCOPES:
                    scope = LedgerScope(tree[name], period)
                    assert production(scope) == oracle(scope), (name, period)
            # What pages and the API read: the whole ledger through its cache, which no action leaves stale.
            for name in SCOPES:
                scope = LedgerScope(tree[name], periods.year(today.year))
                shown = figures_by_key(ledger_build(scope.place, scope.period, public=True))
                expected = direct.tally(scope)
                keys = set(shown) & set(expected)
                assert {"found", "claimed", "resolved", "on_time", "affected"} <= keys
                assert {key: shown[key] for key in keys} == {key: expected[key] for key in keys}, name

    run_state_machine_as_test(Ledger, settings=settings(
        max_examples=8, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))


def test_it_keeps_ledgers_from_the_city_down_to_the_grid_only(client, tree):
    # A need placed in a building counts in its grid and above; the ledger never names a building.
    assert client.get("/api/v1/ledger", {"place": tree["building"].code, "from": "2021-01-01",
                                         "to": "2021-12-31"}).status_code == 404
    assert client.get("/api/v1/ledger", {"place": tree["grid1"].code, "from": "2021-01-01",
                                         "to": "2021-12-31"}).status_code == 200
    with pytest.raises(ValueError):
        LedgerScope(tree["compound"], periods.year(2021))
