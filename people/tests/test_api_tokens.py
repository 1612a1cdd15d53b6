"""API tokens after they are issued: the owner lists and revokes theirs (page and API), an administrator revokes
anyone's (the admin, through the service), someone else's is "not found", and a changed password revokes them
all. A revoked token answers 401 in the API's JSON shape."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from core.models import Event
from people.models import ApiToken
from people.services import api_token_issue, api_token_revoke

pytestmark = pytest.mark.django_db


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def works(token) -> bool:
    response = Client().get("/api/v1/places", headers=bearer(token))
    assert response.status_code in (200, 401)
    if response.status_code == 401:
        assert response.json()["detail"].startswith("需要有效的 API 令牌")  # the API's JSON, not a login page
    return response.status_code == 200


def revocations(**data):
    return [e.data for e in Event.objects.filter(verb="api_token_revoke") if data.items() <= e.data.items()]


@pytest.fixture
def tokens(accounts):
    """Two tokens of 天庆嘉园's staff (one named) and one of another community's."""
    staff, other = accounts["community_staff"], accounts["other_community_staff"]
    return {"named": api_token_issue(user=staff, name="12345 热线对接"), "plain": api_token_issue(user=staff),
            "other": api_token_issue(user=other, name="五里铺东的脚本")}


# --- the page ------------------------------------------------------------------------------------

def test_the_owner_lists_their_tokens_and_never_a_secret(client, accounts, tokens):
    client.force_login(accounts["community_staff"])
    assert works(tokens["named"][0])  # used once: the page shows when
    page = client.get(reverse("people:api_tokens")).content.decode()
    assert "API 令牌" in page and "12345 热线对接" in page and "（未命名）" in page and "最近使用" in page
    assert "五里铺东的脚本" not in page  # another account's
    for secret, row in tokens.values():
        assert secret not in page and row.key_hash not in page
    assert page.count('action="/people/tokens/') == 2
    assert f'href="{reverse("people:api_tokens")}"' in page  # the header's account menu links it


def test_the_owner_revokes_one_and_it_stops_working(client, accounts, tokens):
    client.force_login(accounts["community_staff"])
    secret, row = tokens["named"]
    response = client.post(reverse("people:api_token_revoke", args=[row.pk]), follow=True)
    assert "API 令牌已吊销" in response.content.decode()
    assert not ApiToken.objects.filter(pk=row.pk).exists()
    assert not works(secret) and works(tokens["plain"][0]) and works(tokens["other"][0])
    assert revocations(why="owner", user=accounts["community_staff"].pk) != []


def test_another_accounts_token_is_not_found_on_the_page(client, accounts, tokens):
    client.force_login(accounts["community_staff"])
    secret, row = tokens["other"]
    assert client.post(reverse("people:api_token_revoke", args=[row.pk])).status_code == 404
    assert client.post(reverse("people:api_token_revoke", args=[row.pk + 1000])).status_code == 404  # as a missing one
    assert works(secret) and revocations() == []


def test_revoking_takes_a_post(client, accounts, tokens):
    client.force_login(accounts["community_staff"])
    assert client.get(reverse("people:api_token_revoke", args=[tokens["named"][1].pk])).status_code == 405
    assert works(tokens["named"][0])


# --- the API -------------------------------------------------------------------------------------

def test_the_api_lists_the_callers_tokens_marking_the_one_in_use(client, accounts, tokens):
    secret, row = tokens["plain"]
    response = client.get("/api/v1/auth/tokens", headers=bearer(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {t["name"] for t in body["items"]} == {"12345 热线对接", ""}
    assert [t["id"] for t in body["items"] if t["current"]] == [row.pk]
    assert [t["last_used_at"] is not None for t in body["items"] if t["current"]] == [True]
    assert not {"token", "key_hash"} & set(body["items"][0])
    assert all(secret not in response.content.decode() for secret, _row in tokens.values())


def test_the_api_names_a_token_when_it_issues_it(client, accounts):
    response = client.post("/api/v1/auth/token", {"username": "tqjy_staff", "password": "pass-12345",
                                                  "name": "大屏"}, content_type="application/json")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=accounts["community_staff"]).name == "大屏"


def test_the_owner_revokes_one_through_the_api(client, accounts, tokens):
    secret, row = tokens["named"]
    response = client.delete(f"/api/v1/auth/tokens/{row.pk}", headers=bearer(tokens["plain"][0]))
    assert response.status_code == 204
    assert not works(secret) and works(tokens["plain"][0])
    # a token may revoke itself; after that it is refused like any unknown token
    own = tokens["plain"]
    assert client.delete(f"/api/v1/auth/tokens/{own[1].pk}", headers=bearer(own[0])).status_code == 204
    refused = client.get("/api/v1/auth/tokens", headers=bearer(own[0]))
    assert refused.status_code == 401 and refused.json()["detail"].startswith("需要有效的 API 令牌")


def test_the_api_answers_404_for_another_accounts_token_as_for_a_missing_one(client, accounts, tokens):
    caller = bearer(tokens["plain"][0])
    others = client.delete(f"/api/v1/auth/tokens/{tokens['other'][1].pk}", headers=caller)
    missing = client.delete(f"/api/v1/auth/tokens/{tokens['other'][1].pk + 1000}", headers=caller)
    assert others.status_code == missing.status_code == 404
    assert others.json() == missing.json() == {"detail": "找不到该令牌 / No such API token"}
    assert works(tokens["other"][0]) and revocations() == []


# --- the service and the admin -------------------------------------------------------------------

def test_the_service_refuses_someone_elses_token_and_writes_nothing(accounts, tokens):
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=accounts["community_staff"], token=tokens["other"][1])
    with pytest.raises(PermissionDenied):  # staff of a wider area are no administrators of accounts
        api_token_revoke(actor=accounts["subdistrict_admin"], token=tokens["other"][1])
    assert works(tokens["other"][0]) and revocations() == []


def test_an_administrator_revokes_anyones_in_the_admin_through_the_service(client, root, accounts, tokens):
    client.force_login(root)
    listing = client.get(reverse("admin:people_apitoken_changelist")).content.decode()
    assert "12345 热线对接" in listing and 'value="revoke"' in listing and 'value="delete_selected"' not in listing
    chosen = [tokens["named"][1].pk, tokens["other"][1].pk]
    response = client.post(reverse("admin:people_apitoken_changelist"),
                           {"action": "revoke", "_selected_action": chosen}, follow=True)
    assert "已吊销 2 个 API 令牌" in response.content.decode()
    assert not works(tokens["named"][0]) and not works(tokens["other"][0]) and works(tokens["plain"][0])
    assert len(revocations(why="administrator")) == 2
    assert set(Event.objects.filter(verb="api_token_revoke").values_list("actor_id", flat=True)) == {root.pk}


def test_the_admins_delete_button_revokes_through_the_service_too(client, root, tokens):
    client.force_login(root)
    row = tokens["other"][1]
    client.post(reverse("admin:people_apitoken_delete", args=[row.pk]), {"post": "yes"})
    assert not works(tokens["other"][0]) and len(revocations(why="administrator")) == 1


# --- a changed password --------------------------------------------------------------------------

def test_a_changed_password_revokes_all_of_the_accounts_tokens(accounts, tokens):
    staff = User.objects.get(pk=accounts["community_staff"].pk)
    staff.set_password("a-new-password-42")
    staff.save()
    assert not works(tokens["named"][0]) and not works(tokens["plain"][0])
    assert works(tokens["other"][0])  # another account's are untouched
    assert len(revocations(why="password_change", user=staff.pk)) == 2


def test_the_admins_password_form_revokes_them_too(client, root, accounts, tokens):
    client.force_login(root)
    staff = accounts["community_staff"]
    response = client.post(reverse("admin:auth_user_password_change", args=[staff.pk]),
                           {"password1": "Xq7-new-password", "password2": "Xq7-new-password"})
    assert response.status_code == 302
    assert not works(tokens["named"][0]) and not works(tokens["plain"][0]) and works(tokens["other"][0])


def test_a_login_or_other_change_of_the_account_keeps_them(client, accounts, tokens):
    staff = User.objects.get(pk=accounts["community_staff"].pk)
    assert client.post(reverse("login"), {"username": "tqjy_staff", "password": "pass-12345"}).status_code == 302
    staff.first_name = "小王"
    staff.save()
    assert works(tokens["named"][0]) and works(tokens["plain"][0]) and revocations() == []


class OneRoundPBKDF2(PBKDF2PasswordHasher):
    """A hasher Django prefers over the stored one, so that checking the password re-hashes it (cheaply)."""
    iterations = 1


def test_a_rehash_of_the_same_password_on_login_keeps_them(accounts, tokens, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.OneRoundPBKDF2", "django.contrib.auth.hashers.MD5PasswordHasher"]
    staff = User.objects.get(pk=accounts["community_staff"].pk)
    assert staff.password.startswith("md5$")
    assert staff.check_password("pass-12345")  # Django upgrades the hash here (check_password's setter)
    assert User.objects.get(pk=staff.pk).password.startswith("pbkdf2_sha256$")
    assert works(tokens["named"][0]) and works(tokens["plain"][0]) and revocations() == []
