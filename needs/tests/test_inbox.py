"""Notifications (core.views): the unread count in the header; reading is a POST (one, or all), never a side effect
of a GET; a need's lines and a booking's in one list."""

import re

import pytest
from django.urls import reverse

from core.models import InboxLine
from needs.services import need_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(accounts, tree):
    """Three needs submitted by the resident: each is a notification to the community's staff."""
    for title in ("路灯不亮", "井盖松动", "楼道堆物"):
        need_submit(actor=accounts["resident"], title=title, place=tree["building"])
    return InboxLine.objects.filter(user=accounts["community_staff"])


def unread_in_header(client) -> str:
    page = client.get(reverse("home")).content.decode()
    found = re.search(r'class="inbox-link"[^>]*>[^<]*(?:<span class="count"[^>]*>(\d+\+?)</span>)?', page)
    return found[1] or ""


def test_it_counts_the_unread_in_the_header_and_reading_the_list_changes_nothing(client, accounts, three):
    client.force_login(accounts["community_staff"])
    assert unread_in_header(client) == "3"
    page = client.get(reverse("inbox")).content.decode()
    assert "路灯不亮" in page and page.count('class="need-card unread"') == 3
    assert three.filter(read_at__isnull=True).count() == 3 and unread_in_header(client) == "3"


def test_it_marks_one_read_when_it_is_opened(client, accounts, three):
    client.force_login(accounts["community_staff"])
    first = three.first()
    response = client.post(reverse("inbox_open", args=[first.pk]))
    need_id = int(first.subject.removeprefix("needs.need:"))
    assert response.status_code == 302 and response.url == first.link == reverse("needs:detail", args=[need_id])
    first.refresh_from_db()
    assert first.read_at is not None and unread_in_header(client) == "2"
    assert client.get(reverse("inbox_open", args=[first.pk])).status_code == 405


def test_it_marks_all_read(client, accounts, three):
    client.force_login(accounts["community_staff"])
    response = client.post(reverse("inbox_read"), follow=True)
    assert "已将全部通知标为已读" in response.content.decode()
    assert not three.filter(read_at__isnull=True).exists() and unread_in_header(client) == ""
    assert "没有未读通知" in client.get(reverse("inbox"), {"unread": "1"}).content.decode()


def test_it_touches_only_the_users_own_notifications(client, accounts, three):
    client.force_login(accounts["grid_worker"])
    assert client.post(reverse("inbox_open", args=[three.first().pk])).status_code == 404
    client.post(reverse("inbox_read"))
    assert three.filter(read_at__isnull=True).count() == 3


def test_it_shows_99_plus_beyond_99(client, accounts, three):
    line = three.first()
    InboxLine.objects.bulk_create([InboxLine(user=accounts["community_staff"], subject=line.subject, link=line.link,
                                             verb="submit", text="x", at=line.at) for _ in range(97)])
    client.force_login(accounts["community_staff"])
    assert unread_in_header(client) == "99+"
