"""API tokens: issue, use, expire; wrong passwords are refused and counted by django-axes."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from people.models import ApiToken


def token_for(client, username="tqjy_staff", password="pass-12345"):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json")


@pytest.mark.django_db
def test_it_issues_a_token_that_opens_the_api(client, accounts):
    response = token_for(client)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_at"] > timezone.now().isoformat()
    places = client.get("/api/v1/places", headers={"Authorization": f"Bearer {body['token']}"})
    assert places.status_code == 200


@pytest.mark.django_db
def test_it_stores_only_the_hash_of_the_token(client, accounts):
    token = token_for(client).json()["token"]
    row = ApiToken.objects.get(user=accounts["community_staff"])
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=token).exists()


@pytest.mark.django_db
def test_it_refuses_a_wrong_password_in_chinese_and_english(client, accounts):
    response = token_for(client, password="wrong")
    assert response.status_code == 401
    assert response.json() == {"detail": "用户名或密码错误 / Wrong username or password"}
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_it_locks_out_brute_force_even_with_the_right_password(client, accounts, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token_for(client, password="wrong").status_code == 401
    locked = token_for(client, password="wrong")
    assert locked.status_code == 429
    assert "锁定" in locked.json()["detail"]
    assert token_for(client).status_code == 429
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer not-a-token", "Token abc", ""])
def test_it_refuses_unknown_tokens(client, accounts, header):
    response = client.get("/api/v1/places", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("需要有效的 API 令牌")


@pytest.mark.django_db
def test_it_refuses_an_expired_token(client, accounts):
    token = token_for(client).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/api/v1/places", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.django_db
def test_it_refuses_the_token_of_a_deactivated_account(client, accounts):
    token = token_for(client).json()["token"]
    accounts["community_staff"].is_active = False
    accounts["community_staff"].save()
    response = client.get("/api/v1/places", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.django_db
def test_it_accepts_the_session_of_a_logged_in_browser(client, accounts):
    client.force_login(accounts["resident"])
    assert client.get("/api/v1/places").status_code == 200


@pytest.mark.django_db
def test_it_records_issuing_a_token_in_the_event_log(client, accounts):
    from core.models import Event

    token = token_for(client).json()["token"]
    event = Event.objects.get(verb="api_token_issue")
    assert event.actor == accounts["community_staff"]
    assert token not in str(event.data)
