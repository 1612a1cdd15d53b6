"""Operators press at once: the stock is never negative and no unit is lent twice.

Real threads, each with its own database connection, so the lock that decides is the database's:
IMMEDIATE transactions on SQLite, the item's row lock (select_for_update) on PostgreSQL.
"""

import pytest
from django.core.exceptions import ValidationError

from core.events import events_verify
from core.models import Event
from needs.tests.concurrency import run_together
from sites.models import Item, Loan, StockMovement
from sites.services import loan_create, stock_give_out

RACERS = 8


@pytest.mark.django_db(transaction=True)
def test_eight_give_outs_of_two_each_from_five_leave_one_and_never_below_zero(root, plasters):
    from sites.services import stock_adjust

    stock_adjust(actor=root, item=plasters, count=5, reason="盘点")
    given, refused = [], []

    def give(_):
        try:
            given.append(stock_give_out(actor=root, item=Item.objects.get(pk=plasters.pk), quantity=2))
        except ValidationError as error:
            refused.append(error)

    assert run_together(give, range(RACERS)) == []
    assert len(given) == 2 and len(refused) == RACERS - 2
    assert all("库存仅剩1片" in str(e) or "库存仅剩" in str(e) or "无库存" in str(e) for e in refused)
    assert Item.objects.get(pk=plasters.pk).stock == 1
    assert sorted(m.stock_after for m in StockMovement.objects.filter(kind="given_out")) == [1, 3]
    assert Event.objects.filter(verb="stock_give_out").count() == 2
    assert events_verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_eight_loans_of_the_last_two_umbrellas_lend_exactly_two(root, umbrellas):
    lent, refused = [], []

    def borrow(i):
        try:
            lent.append(loan_create(actor=root, item=Item.objects.get(pk=umbrellas.pk),
                                    borrower_name=f"路人{i}", borrower_phone=f"1380000000{i}"))
        except ValidationError as error:
            refused.append(error)

    assert run_together(borrow, range(RACERS)) == []
    assert len(lent) == 2 and len(refused) == RACERS - 2
    assert all("雨伞已全部借出" in str(e) for e in refused)
    assert Loan.objects.filter(item=umbrellas, returned_at=None, lost_at=None).count() == 2
    assert Event.objects.filter(verb="loan_create").count() == 2
    assert events_verify()[1] is None
