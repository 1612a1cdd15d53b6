"""A loan's row checked against its events (`verify_events --state`): lent, returned, lost, marked overdue replay
to the rows; a direct edit (a loan shown back, a due date moved) is reported with the loan and the field."""

import datetime

import pytest
from django.utils import timezone

from sites.models import Loan
from sites.replay import loans_check
from sites.services import loan_create, loan_mark_lost, loan_return
from sites.tasks import loans_overdue_sweep

pytestmark = pytest.mark.django_db


def mismatches():
    return [(m.subject_id, m.field, m.row, m.replayed) for m in loans_check()]


@pytest.fixture
def lent(accounts, umbrellas, tree):
    """Two umbrellas: one lent to a passer-by and returned, then lent again and lost; the other lent by the
    community's staff to a resident on record, and overdue."""
    from people.services import person_create

    operator, staff = accounts["unit_admin"], accounts["community_staff"]
    resident = person_create(actor=staff, name="王奶奶", phone="13900003333", home=tree["entrance"], is_resident=True)
    returned = loan_create(actor=operator, item=umbrellas, borrower_name="李先生", borrower_phone="13800001111")
    loan_return(actor=operator, loan=returned)
    lost = loan_create(actor=operator, item=umbrellas, borrower_name="李先生", borrower_phone="13800001111")
    loan_mark_lost(actor=operator, loan=lost)
    late = loan_create(actor=staff, item=umbrellas, person=resident, at=timezone.now() - datetime.timedelta(days=10))
    assert loans_overdue_sweep() == 1
    return {"returned": returned, "lost": lost, "late": Loan.objects.get(pk=late.pk)}


def test_every_loan_matches_its_events(lent):
    assert lent["late"].overdue_at is not None and lent["late"].person_id
    assert mismatches() == []


def test_a_direct_edit_of_a_loan_is_reported_with_the_loan_and_the_field(lent):
    late = lent["late"]
    back, moved = timezone.now(), late.due_on + datetime.timedelta(days=7)
    Loan.objects.filter(pk=late.pk).update(returned_at=back, due_on=moved)
    assert mismatches() == [(str(late.pk), "due_on", moved, late.due_on), (str(late.pk), "returned_at", back, None)]
