"""API tokens: issue, use, expire; wrong passwords are refused and counted by django-axes."""

import datetime
import hashlib

import pytest
from django.test import RequestFactory
from django.utils import timezone

from people.api import BearerTokenAuth
from people.models import ApiToken, RoleAssignment
from people.scopes import person_of, roles
from people.services import caller_changed, person_account_link, person_create


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


def served_as(token):
    """The caller a request with this token is served as (people.api.BearerTokenAuth), or None."""
    return BearerTokenAuth()(RequestFactory().get("/", headers={"Authorization": f"Bearer {token}"}))


def bearer(client, token):
    """The roles of the caller a request with this token is served as, or None."""
    user = served_as(token)
    return user and roles(user)


@pytest.mark.django_db
def test_a_role_revoked_in_the_back_office_is_seen_by_the_next_request(client, accounts):
    token = token_for(client).json()["token"]
    assert bearer(client, token) == {"community_staff"}
    RoleAssignment.objects.filter(user=accounts["community_staff"]).delete()  # as the admin's delete does
    assert bearer(client, token) == set()


@pytest.mark.django_db
def test_a_caller_is_kept_until_the_number_moves_as_another_process_moves_it(client, accounts):
    token = token_for(client).json()["token"]
    assert bearer(client, token) == {"community_staff"}
    # A write that tells nobody (no signal) is not seen: the caller is kept …
    RoleAssignment.objects.filter(user=accounts["community_staff"]).update(role="grid_worker")
    assert bearer(client, token) == {"community_staff"}
    caller_changed()  # … until the number moves, as any write of another process through people's models does
    assert bearer(client, token) == {"grid_worker"}


@pytest.mark.django_db
def test_a_kept_caller_whose_account_is_deactivated_is_refused(client, accounts):
    token = token_for(client).json()["token"]
    assert bearer(client, token) == {"community_staff"}
    accounts["community_staff"].is_active = False
    accounts["community_staff"].save()
    assert bearer(client, token) is None


@pytest.mark.django_db
def test_a_kept_caller_whose_token_expires_is_refused(client, accounts, monkeypatch):
    token = token_for(client).json()["token"]
    assert bearer(client, token) == {"community_staff"}
    later = ApiToken.objects.get().expires_at + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert bearer(client, token) is None


@pytest.mark.django_db
def test_a_kept_caller_linked_to_a_person_since_is_read_with_it(client, accounts, root, tree):
    token = token_for(client).json()["token"]
    assert bearer(client, token) == {"community_staff"}
    person = person_create(actor=root, name="王小明", home=tree["entrance"], room="102", is_resident=True)
    person_account_link(actor=root, person=person, user=accounts["community_staff"])
    assert person_of(served_as(token)) == person
