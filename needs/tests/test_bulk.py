"""Bulk actions from the worklist: each need through need_act on its own, a result per need."""

import pytest
from django.urls import reverse

from core.models import Event
from needs.models import Need, State
from needs.services import need_submit

pytestmark = pytest.mark.django_db
URL = reverse("needs:bulk")


@pytest.fixture
def spam(accounts, tree):
    return [need_submit(actor=accounts["resident"], title=f"代开发票{i}", place=tree["building"]) for i in range(20)]


def post(client, needs, **fields):
    return client.post(URL, {"need": [n.pk for n in needs], **fields})


def events(verb) -> int:
    return Event.objects.filter(verb=verb).count()


def test_it_rejects_twenty_spam_needs_with_the_reason(client, accounts, spam):
    client.force_login(accounts["community_staff"])
    response = post(client, spam, action="reject", note="广告信息，不予受理")
    page = response.content.decode()
    assert response.status_code == 200 and "20" in page and page.count('class="ok"') == 20
    assert set(Need.objects.filter(pk__in=[n.pk for n in spam]).values_list("state", flat=True)) == {State.REJECTED}
    assert events("need.reject") == 20
    assert all(n.notes.get(action="reject").text == "广告信息，不予受理" for n in Need.objects.filter(pk__in=[
        n.pk for n in spam]))


def test_it_reports_each_need_it_could_not_take_and_takes_the_others(client, accounts, tree, spam, published):
    elsewhere = need_submit(actor=accounts["resident"], title="五里铺东的事", place=tree["compound2"])
    client.force_login(accounts["community_staff"])
    chosen = [spam[0], published, elsewhere, spam[1]]
    page = post(client, chosen, action="reject", note="重复提交").content.decode()
    assert page.count('class="ok"') == 2 and page.count('class="failed"') == 2
    assert "已不能" in page  # the published need: its state refuses it
    assert "您辖区内没有这条需求" in page or "No such need in your area" in page
    assert Need.objects.get(pk=published.pk).state == State.PUBLISHED  # untouched
    assert Need.objects.get(pk=elsewhere.pk).state == State.SUBMITTED
    assert list(Need.objects.filter(pk__in=[spam[0].pk, spam[1].pk]).values_list("state", flat=True)) == [
        State.REJECTED] * 2
    assert events("need.reject") == 2


def test_it_accepts_with_a_category_and_concern_level_then_publishes(client, accounts, tree, category, spam):
    private = need_submit(actor=accounts["resident"], title="家里漏水", place=tree["building"], is_public=False)
    client.force_login(accounts["community_staff"])
    needs = [spam[0], spam[1], private]
    post(client, needs, action="accept", category=category.pk, concern_level="anguish")
    accepted = Need.objects.filter(pk__in=[n.pk for n in needs])
    assert {(n.state, n.category_id, n.concern_level) for n in accepted} == {
        (State.ACCEPTED, category.pk, "anguish")}
    assert Need.objects.get(pk=private.pk).is_public is False  # kept what the resident chose
    page = post(client, needs, action="publish").content.decode()
    assert page.count('class="ok"') == 2 and "只能派单" in page  # a private need is dispatched, not published
    assert Need.objects.get(pk=private.pk).state == State.ACCEPTED


@pytest.mark.parametrize("fields, message", [
    ({"action": "reject", "note": " "}, "理由"),
    ({"action": "accept", "concern_level": "worry"}, "类别"),
    ({"action": "delete"}, "有效"),
])
def test_it_refuses_missing_fields_before_touching_any_need(client, accounts, spam, fields, message):
    client.force_login(accounts["community_staff"])
    response = post(client, spam[:3], **fields, next="/needs/triage/?queue=accept")
    assert response.status_code == 302 and response.url == "/needs/triage/?queue=accept"
    assert message in client.get(response.url).content.decode()
    assert not Need.objects.exclude(state=State.SUBMITTED).exists() and events("need.reject") == 0


def test_it_asks_for_a_tick(client, accounts):
    client.force_login(accounts["community_staff"])
    response = client.post(URL, {"action": "publish"}, follow=True)
    assert "至少勾选一条需求" in response.content.decode()


def test_it_lets_a_grid_worker_take_nothing_in_bulk(client, accounts, spam):
    client.force_login(accounts["grid_worker"])
    page = post(client, spam[:2], action="reject", note="广告").content.decode()
    assert page.count('class="failed"') == 2 and not Need.objects.filter(state=State.REJECTED).exists()


def test_it_goes_back_only_to_a_page_of_this_site(client, accounts, spam):
    client.force_login(accounts["community_staff"])
    page = post(client, spam[:1], action="publish", next="https://evil.example/").content.decode()
    assert "https://evil.example/" not in page and 'href="/needs/triage/"' in page


def test_it_is_for_signed_in_staff_and_posts_only(client, accounts, spam):
    assert client.post(URL, {"need": [spam[0].pk], "action": "publish"}).status_code == 302  # to the login page
    client.force_login(accounts["community_staff"])
    assert client.get(URL).status_code == 405
