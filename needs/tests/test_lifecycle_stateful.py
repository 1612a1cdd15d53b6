"""Random sequences of actions by random roles on a few needs. After every step: no illegal transition
succeeded, a successful action appended exactly one event (a refused one none), the chain verifies, and
the counts by state are those of the model."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from core.events import events_verify
from core.models import Event
from needs import workflow
from needs.models import Need
from needs.services import NeedConflict, need_act, need_submit

ACTIONS = sorted(a for a in workflow.ACTIONS if a not in ("submit", "remind", "flag_overdue"))
# An oracle written from docs/product.md §3, independent of needs.permissions.relations_to: what each fixture
# account may ever do. "holder" actions also need the account to hold the need at that moment.
MAY = {
    "resident": {"rate", "reopen"},
    "community_staff": {"accept", "reject", "merge", "publish", "dispatch", "return", "progress", "add_collaborator",
                        "escalate", "verify", "follow_up", "reopen", "close_unrated"},
    "subdistrict_admin": {"accept", "reject", "merge", "publish", "dispatch", "return", "progress",
                          "add_collaborator", "escalate", "verify", "close_unrated"},
    "grid_worker": {"progress", "verify", "follow_up"},
    "unit_admin": {"claim"},
    "party_member": {"claim"},
    "other_community_staff": set(),
}
HOLDER_ACTIONS = {"return", "start", "progress", "add_collaborator", "resolve"}
ROLES = sorted(MAY)
DETOURS = {"reject", "merge", "escalate", "return", "progress", "add_collaborator"}


@pytest.mark.django_db
def test_it_never_lets_an_illegal_transition_succeed(accounts, tree, category, second_unit, unit):
    class Lifecycle(RuleBasedStateMachine):
        @initialize()
        def submit_needs(self):
            self.needs = [need_submit(actor=accounts["resident"], title=f"需求{i}", place=tree["building"]).pk
                          for i in range(3)]
            self.model = {pk: "submitted" for pk in self.needs}

        def fields_for(self, action, pk, data):
            other = next(n for n in self.needs if n != pk)
            return {
                "accept": {"category": category, "concern_level": data.draw(st.sampled_from(["annoyance", "anguish"]))},
                "merge": {"into": other}, "dispatch": {"organisation": unit["organisation"]},
                "add_collaborator": {"organisation": second_unit},
                "resolve": {"note": "已完成", "evidence": "签字"},
                "rate": {"rating": data.draw(st.sampled_from(["satisfied", "unsatisfied"]))},
                "follow_up": {"rating": "fairly_satisfied"},
            }.get(action, {"note": "说明"})

        def is_holder(self, role, need):
            if role == "unit_admin":
                return need.lead_organisation_id == unit["organisation"].pk
            if role == "party_member":
                return need.lead_person_id is not None and need.lead_person.user == accounts["party_member"]
            return False

        @rule(action=st.sampled_from(ACTIONS), role=st.sampled_from(ROLES), index=st.integers(0, 2), data=st.data())
        def act_at_random(self, action, role, index, data):
            self.act(action, role, index, data)

        @rule(index=st.integers(0, 2), data=st.data())
        def act_plausibly(self, index, data):
            """An action the state allows, by a role that might take it: random sequences reach deep states."""
            actions = [a for a in workflow.actions_from(self.model[self.needs[index]]) if a in ACTIONS]
            if not actions:
                return
            if data.draw(st.integers(0, 3)) > 0:  # mostly forward, so that resolve, rate and reopen are reached
                actions = [a for a in actions if a not in DETOURS] or actions
            action = data.draw(st.sampled_from(actions))
            candidates = [r for r in ROLES if action in MAY[r]]
            if action in HOLDER_ACTIONS or not candidates:
                candidates += ["unit_admin", "party_member"]
            self.act(action, data.draw(st.sampled_from(candidates)), index, data)

        def act(self, action, role, index, data):
            pk = self.needs[index]
            need = Need.objects.get(pk=pk)
            before_state, before_events = need.state, Event.objects.count()
            assert before_state == self.model[pk]
            try:
                after = need_act(actor=accounts[role], need=need, action=action,
                                 **self.fields_for(action, pk, data))
            except (PermissionDenied, ValidationError, NeedConflict) as refused:
                assert Event.objects.count() == before_events
                assert Need.objects.get(pk=pk).state == before_state
                if isinstance(refused, NeedConflict):
                    assert workflow.next_state(before_state, action) is None
                return
            assert workflow.next_state(before_state, action) == after.state
            assert action in MAY[role] or (action in HOLDER_ACTIONS and self.is_holder(role, need))
            assert Event.objects.count() == before_events + 1
            last = Event.objects.last()
            assert (last.verb, last.subject_id, last.data["from"], last.data["to"]) == (
                f"need.{action}", str(pk), before_state, after.state)
            self.model[pk] = after.state

        @invariant()
        def chain_verifies_and_counts_add_up(self):
            if not hasattr(self, "needs"):
                return
            assert events_verify()[1] is None
            counts = Counter(Need.objects.filter(pk__in=self.needs).values_list("state", flat=True))
            assert counts == Counter(self.model.values())

    run_state_machine_as_test(Lifecycle, settings=settings(
        max_examples=30, stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
