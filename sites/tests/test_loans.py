"""Lending a station's units: to a person on record or a passer-by, due back, returned, lost, overdue."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Event, InboxLine
from core.notify import subject_key
from sites.models import Item, Loan
from sites.services import loan_create, loan_mark_lost, loan_return
from sites.tasks import loans_overdue_sweep

pytestmark = pytest.mark.django_db


def lend(user, item, **kwargs):
    kwargs.setdefault("borrower_name", "李先生")
    kwargs.setdefault("borrower_phone", "13800001111")
    return loan_create(actor=user, item=item, **kwargs)


def test_it_lends_a_unit_due_after_the_loan_period_and_takes_it_back(accounts, umbrellas):
    operator = accounts["unit_admin"]
    loan = lend(operator, umbrellas)
    assert loan.is_out and loan.due_on == timezone.localdate() + datetime.timedelta(days=3)
    assert loan.lent_by == operator
    event = Event.objects.get(verb="loan_create")
    assert event.data == {"item": umbrellas.pk, "due_on": loan.due_on.isoformat(), "passer_by": True}
    assert "李先生" not in str(event.data) and "13800001111" not in str(event.data)
    loan_return(actor=operator, loan=loan)
    loan.refresh_from_db()
    assert not loan.is_out and loan.returned_at and loan.closed_by == operator
    assert Event.objects.get(verb="loan_return").data == {"item": umbrellas.pk, "overdue": False}


def test_it_lends_to_a_person_on_record_the_operator_may_open(accounts, umbrellas, tree):
    from people.services import person_create

    person = person_create(actor=accounts["community_staff"], name="王秀英", phone="13912345678", home=tree["entrance"])
    with pytest.raises(PermissionDenied):
        loan_create(actor=accounts["unit_admin"], item=umbrellas, person=person)
    loan = loan_create(actor=accounts["community_staff"], item=umbrellas, person=person)
    assert loan.person == person and loan.borrower_name == ""
    assert Event.objects.get(verb="loan_create").data["person"] == person.pk


def test_it_refuses_a_unit_when_none_is_free_and_says_when_the_first_is_due(accounts, umbrellas):
    operator = accounts["unit_admin"]
    first = lend(operator, umbrellas, due_on=timezone.localdate() + datetime.timedelta(days=1))
    lend(operator, umbrellas)
    events, loans = Event.objects.count(), Loan.objects.count()
    with pytest.raises(ValidationError) as refused:
        lend(operator, umbrellas)
    day = first.due_on
    assert f"雨伞已全部借出，最早归还：{day.year}年{day.month}月{day.day}日" in str(refused.value)
    assert (Event.objects.count(), Loan.objects.count()) == (events, loans)
    loan_return(actor=operator, loan=first)
    assert lend(operator, umbrellas).is_out


@pytest.mark.parametrize("kwargs, words", [
    ({"due_on": datetime.date(2020, 1, 1)}, "已过"),
    ({"due_on": datetime.date(2099, 1, 1)}, "最长"),
    ({"borrower_name": ""}, "姓名和电话"),
    ({"borrower_phone": ""}, "姓名和电话"),
    ({"borrower_phone": "12"}, "电话"),
])
def test_it_refuses_bad_loans_and_writes_nothing(accounts, umbrellas, kwargs, words):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        lend(accounts["unit_admin"], umbrellas, **kwargs)
    assert words in str(refused.value) or "phone" in str(refused.value)
    assert Event.objects.count() == events and not Loan.objects.exists()


def test_a_consumable_is_not_lent(accounts, plasters):
    with pytest.raises(ValidationError):
        lend(accounts["unit_admin"], plasters)


def test_a_loan_is_closed_once(accounts, umbrellas):
    loan = lend(accounts["unit_admin"], umbrellas)
    loan_return(actor=accounts["unit_admin"], loan=loan)
    with pytest.raises(ValidationError) as refused:
        loan_mark_lost(actor=accounts["unit_admin"], loan=loan)
    assert "已经归还" in str(refused.value)


def test_a_lost_unit_leaves_the_station_with_one_fewer(accounts, umbrellas):
    loan = lend(accounts["unit_admin"], umbrellas)
    loan_mark_lost(actor=accounts["unit_admin"], loan=loan, note="借用人搬走")
    assert Item.objects.get(pk=umbrellas.pk).units == 1
    assert Loan.objects.get(pk=loan.pk).lost_at is not None
    assert Event.objects.get(verb="loan_mark_lost").data["units"] == 1


def test_only_operators_lend_and_take_back(accounts, umbrellas):
    loan = lend(accounts["unit_admin"], umbrellas)
    for role in ("other_community_staff", "grid_worker", "party_member", "resident", "committee_member"):
        with pytest.raises(PermissionDenied):
            lend(accounts[role], umbrellas)
        with pytest.raises(PermissionDenied):
            loan_return(actor=accounts[role], loan=loan)
    assert Loan.objects.count() == 1 and Loan.objects.get().is_out


def test_the_sweep_marks_an_overdue_loan_once_and_tells_the_operator(accounts, umbrellas,
                                                                     django_capture_on_commit_callbacks):
    operator = accounts["unit_admin"]
    long_ago = timezone.now() - datetime.timedelta(days=10)
    late = lend(operator, umbrellas, at=long_ago)  # due 7 days ago
    lend(operator, umbrellas)  # not yet due
    with django_capture_on_commit_callbacks(execute=True):
        assert loans_overdue_sweep() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert loans_overdue_sweep() == 0
    line = InboxLine.objects.get(verb="loan_overdue")
    assert (line.user, line.subject, line.link) == (operator, subject_key(late), f"/sites/{umbrellas.site_id}/desk/")
    assert "雨伞" in line.text and "李" not in line.text  # the item and the station, never the borrower
    assert Loan.objects.get(pk=late.pk).overdue_at is not None
    assert Event.objects.filter(verb="loan_overdue").count() == 1
    loan_return(actor=operator, loan=late)
    assert Event.objects.get(verb="loan_return").data["overdue"] is True


def test_the_hourly_task_runs_the_sweep(accounts, umbrellas):
    from sites.tasks import loans_overdue_task

    late = lend(accounts["unit_admin"], umbrellas, at=timezone.now() - datetime.timedelta(days=10))
    loans_overdue_task()  # huey's immediate mode in tests: it runs here
    assert Loan.objects.get(pk=late.pk).overdue_at is not None
