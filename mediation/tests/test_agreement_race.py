"""Two mediators record the agreement at the same moment: one agreement is written, the other is refused in
words ("该纠纷现为「…」，已不能「登记调解协议」。"), and the event chain holds. Real threads, each with its own
connection: the dispute's row lock decides on PostgreSQL, the IMMEDIATE transaction on SQLite."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.events import events_verify
from core.models import Event
from mediation.models import Agreement, Dispute, Step
from mediation.services import dispute_agree, dispute_assess, dispute_mediate
from needs.tests.concurrency import run_together


@pytest.mark.django_db(transaction=True)
def test_two_mediators_recording_the_agreement_at_once_make_one(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="研判")
    dispute_mediate(actor=pair["head"], dispute=dispute)
    made = []

    def agree(user):
        made.append(dispute_agree(actor=user, dispute=Dispute.objects.get(pk=dispute.pk), facts="渗水",
                                  terms=f"由{user.username}记录的条款", performance="自行维修",
                                  perform_by=datetime.date(2021, 6, 20), signed_on=datetime.date(2021, 6, 1)))

    errors = run_together(agree, [pair["head"], pair["manager"]])

    assert len(made) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].messages == ["该纠纷现为「已有结果，待反馈」，已不能「登记调解协议」。"]
    assert Agreement.objects.count() == 1 and Step.objects.filter(action="agree").count() == 1
    assert Event.objects.filter(verb="dispute.agree").count() == 1
    assert events_verify()[1] is None
