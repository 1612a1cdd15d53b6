"""A station's public page (opening hours, what is available now, no borrower) and its desk (the operator's)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Event
from sites.models import Item, Loan, StockMovement
from sites.services import loan_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def lent(accounts, umbrellas):
    return loan_create(actor=accounts["unit_admin"], item=umbrellas, borrower_name="李建国",
                       borrower_phone="13800001111")


def test_the_public_page_shows_hours_and_what_is_available_without_borrowers(client, station, plasters, lent):
    body = client.get(reverse("sites:detail", args=[station.pk])).content.decode()
    assert "周一至周五 9:00–17:00" in body
    assert "创可贴" in body and "10 片" in body.replace("10片", "10 片")
    assert "雨伞" in body and "1" in body
    assert "李建国" not in body and "13800001111" not in body and "1111" not in body
    assert reverse("sites:desk", args=[station.pk]) not in body  # no desk link for a visitor


def test_the_desk_is_the_operators_only(client, accounts, station):
    url = reverse("sites:desk", args=[station.pk])
    assert client.get(url).status_code == 302  # to the login page
    for role in ("resident", "grid_worker", "other_community_staff", "party_member"):
        client.force_login(accounts[role])
        assert client.get(url).status_code == 404
        assert client.post(reverse("sites:lend", args=[station.pk]), {}).status_code == 403
    for role in ("unit_admin", "community_staff", "subdistrict_admin"):
        client.force_login(accounts[role])
        assert client.get(url).status_code == 200


def test_the_desk_lists_loans_out_overdue_and_low_stock(client, accounts, station, plasters, umbrellas, lent):
    operator = accounts["unit_admin"]
    late = loan_create(actor=operator, item=umbrellas, borrower_name="王大妈", borrower_phone="13900002222",
                       at=timezone.now() - datetime.timedelta(days=9))
    client.force_login(operator)
    from sites.services import stock_give_out

    stock_give_out(actor=operator, item=plasters, quantity=7)
    body = client.get(reverse("sites:desk", args=[station.pk])).content.decode()
    assert "李建国 13800001111" in body  # the passer-by, as typed: the operator's page only
    assert "王大妈" in body and "逾期" in body
    assert "库存不足" in body or "库存低" in body
    assert f'action="{reverse("sites:loan_return", args=[late.pk])}"' in body
    body = client.get(reverse("sites:desk", args=[station.pk]), {"q": "王大妈"}).content.decode()
    assert body.count("13800001111") == 0


def test_giving_out_from_the_desk_until_the_low_stock_alert(client, accounts, station, plasters):
    client.force_login(accounts["unit_admin"])
    url = reverse("sites:stock", args=[station.pk])
    for _ in range(6):
        response = client.post(url, {"item": plasters.pk, "kind": "given_out", "quantity": 1}, follow=True)
        assert "库存不足" not in response.content.decode()  # 4 left: above the threshold of 3
    response = client.post(url, {"item": plasters.pk, "kind": "given_out", "quantity": 1}, follow=True)
    body = response.content.decode()
    assert Item.objects.get(pk=plasters.pk).stock == 3
    assert "库存不足" in body  # the message and the desk's alert


def test_giving_out_more_than_in_stock_says_so_and_writes_nothing(client, accounts, station, plasters):
    client.force_login(accounts["unit_admin"])
    events = Event.objects.count()
    response = client.post(reverse("sites:stock", args=[station.pk]),
                           {"item": plasters.pk, "kind": "given_out", "quantity": 11})
    assert response.status_code == 422 and "库存仅剩10片" in response.content.decode()
    assert Event.objects.count() == events and StockMovement.objects.count() == 1


def test_a_correction_without_a_reason_is_refused(client, accounts, station, plasters):
    client.force_login(accounts["unit_admin"])
    response = client.post(reverse("sites:stock", args=[station.pk]),
                           {"item": plasters.pk, "kind": "adjusted", "quantity": 8, "reason": ""})
    assert response.status_code == 422 and "调整原因" in response.content.decode()


def test_lending_a_passer_by_and_taking_it_back(client, accounts, station, umbrellas):
    client.force_login(accounts["unit_admin"])
    response = client.post(reverse("sites:lend", args=[station.pk]), {
        "item": umbrellas.pk, "borrower_name": "张先生", "borrower_phone": "13700003333"})
    assert response.status_code == 302
    loan = Loan.objects.get()
    assert loan.borrower_name == "张先生" and loan.due_on == timezone.localdate() + datetime.timedelta(days=3)
    assert client.post(reverse("sites:loan_return", args=[loan.pk])).status_code == 302
    assert not Loan.objects.get().is_out
    assert client.get(reverse("sites:loan_return", args=[loan.pk])).status_code == 405


def test_lending_with_a_due_date_in_the_past_is_refused(client, accounts, station, umbrellas):
    client.force_login(accounts["unit_admin"])
    response = client.post(reverse("sites:lend", args=[station.pk]), {
        "item": umbrellas.pk, "borrower_name": "张先生", "borrower_phone": "13700003333", "due_on": "2020-01-01"})
    assert response.status_code == 422 and "已过" in response.content.decode()
    assert not Loan.objects.exists()


def test_lending_to_a_person_found_with_the_picker(client, accounts, station, umbrellas, tree):
    from people.services import person_create

    person = person_create(actor=accounts["community_staff"], name="王秀英", phone="13912345678",
                           home=tree["entrance"])
    client.force_login(accounts["community_staff"])
    picked = client.get(reverse("sites:borrower_pick", args=[station.pk]), {"name": "person", "person_q": "wxy"})
    assert "王*" in picked.content.decode() and "王秀英" not in picked.content.decode()
    response = client.post(reverse("sites:lend", args=[station.pk]), {"item": umbrellas.pk, "person": person.pk})
    assert response.status_code == 302 and Loan.objects.get().person == person


def test_marking_lost_asks_first(client, accounts, station, lent):
    client.force_login(accounts["unit_admin"])
    url = reverse("sites:loan_lost", args=[lent.pk])
    assert "李建国" in client.get(url).content.decode()
    assert client.post(url, {"note": "借用人搬家"}).status_code == 302
    assert Loan.objects.get().lost_at and Item.objects.get(pk=lent.item_id).units == 1
    client.force_login(accounts["resident"])
    assert client.get(url).status_code == 404


def test_adding_and_editing_items(client, accounts, station):
    client.force_login(accounts["unit_admin"])
    response = client.post(reverse("sites:item_create", args=[station.pk]), {
        "kind": "lendable", "name": "血压计", "unit": "台", "stock": 0, "low_stock": 0, "units": 1, "loan_days": 1})
    assert response.status_code == 302, response.content.decode()
    item = Item.objects.get(name="血压计")
    assert item.units == 1
    response = client.post(reverse("sites:item_update", args=[item.pk]), {
        "name": "电子血压计", "unit": "台", "units": 2, "loan_days": 2, "active": "on"})
    assert response.status_code == 302, response.content.decode()
    assert Item.objects.get(pk=item.pk).name == "电子血压计"
    assert Event.objects.filter(verb="item_update").exists()


def test_the_home_page_tells_the_operator_what_to_see_to(client, accounts, station, plasters, umbrellas,
                                                         django_assert_max_num_queries):
    from sites.selectors import alerts_for
    from sites.services import stock_give_out

    operator = accounts["unit_admin"]
    client.force_login(operator)
    assert "驿站提醒" not in client.get("/").content.decode()
    stock_give_out(actor=operator, item=plasters, quantity=8)
    loan_create(actor=operator, item=umbrellas, borrower_name="王大妈", borrower_phone="13900002222",
                at=timezone.now() - datetime.timedelta(days=9))
    body = client.get("/").content.decode()
    assert "驿站提醒" in body and "创可贴（2片）" in body and "1件逾期未还" in body
    assert reverse("sites:desk", args=[station.pk]) in body
    for role in ("resident", "grid_worker", "other_community_staff"):
        assert alerts_for(accounts[role]) == []
    with django_assert_max_num_queries(8):
        assert [a["site"] for a in alerts_for(accounts["subdistrict_admin"])] == [station]


def test_an_item_no_longer_offered_leaves_the_desk_and_the_public_page_and_can_come_back(client, accounts, station,
                                                                                        plasters):
    from sites.services import item_update

    item_update(actor=accounts["unit_admin"], item=plasters, active=False)
    client.force_login(accounts["unit_admin"])
    body = client.get(reverse("sites:desk", args=[station.pk])).content.decode()
    assert "已停止提供" in body and reverse("sites:item_update", args=[plasters.pk]) in body
    assert "发放1片" not in body
    client.logout()
    assert "创可贴" not in client.get(reverse("sites:detail", args=[station.pk])).content.decode().split("二维码")[0]


def test_the_history_pages_stock_changes_and_loans_for_the_operator(client, accounts, station, plasters, umbrellas,
                                                                    lent):
    from sites.services import loan_return, stock_give_out

    stock_give_out(actor=accounts["unit_admin"], item=plasters, quantity=2, recipient="王大妈")
    loan_return(actor=accounts["unit_admin"], loan=lent)
    url = reverse("sites:history", args=[station.pk])
    client.force_login(accounts["resident"])
    assert client.get(url).status_code == 404
    client.force_login(accounts["unit_admin"])
    body = client.get(url).content.decode()
    assert "共 2 条库存变动" in body and "王大妈" in body and "期初库存" in body
    body = client.get(url, {"show": "loans"}).content.decode()
    assert "共 1 条借用记录" in body and "李建国 13800001111" in body
    body = client.get(url, {"item": umbrellas.pk}).content.decode()
    assert "共 0 条库存变动" in body
    assert client.get(url, {"page": "99999999999999999999", "item": "²"}).status_code == 200
