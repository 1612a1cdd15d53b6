import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def templates(response) -> set[str]:
    return {t.name for t in response.templates}


def test_it_shows_anonymous_visitors_the_public_home(client):
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    for url in (reverse("needs:submit"), reverse("needs:board"), reverse("ledger:index"), reverse("needs:track"),
                reverse("login")):
        assert f'href="{url}"' in body or f'action="{url}"' in body


def test_it_shows_the_login_page_in_chinese_with_a_language_switch(client):
    body = client.get(reverse("login")).content.decode()
    assert "登录" in body and 'name="language"' in body and "English" in body


def test_it_logs_in_and_out(client, accounts):
    response = client.post(reverse("login"), {"username": "tqjy_staff", "password": "pass-12345"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert "minsheng/home.html" in templates(client.get(reverse("home")))
    client.post(reverse("logout"))
    shown = templates(client.get(reverse("home")))
    assert "minsheng/public_home.html" in shown and "minsheng/home.html" not in shown


def test_it_locks_out_brute_force_with_a_chinese_message(client, accounts, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "tqjy_staff", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "tqjy_staff", "password": "pass-12345"})
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()


def test_it_renders_404_in_chinese(client, accounts):
    client.force_login(accounts["resident"])
    response = client.get("/places/999999/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
