"""API tokens: POST /api/v1/auth/token trades a username and password for a bearer token; GET /api/v1/auth/tokens
lists the caller's own and DELETE /api/v1/auth/tokens/{id} revokes one (the page: people/tokens.html).

Only the token's SHA-256 is stored, so a copy of the database cannot be used to call the API.
Failed attempts go through django-axes like the login page, so brute force locks out here too.
A revoked token's row is gone, so it answers 401 like a token never issued; a changed password revokes them all.
"""

import copy
import datetime

from django.contrib.auth import authenticate
from django.db import connection
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from core.api import Body, Detail, Id
from people import scopes
from people.models import ApiToken, CallerVersion, token_hash
from people.selectors import api_tokens_of
from people.services import api_token_issue, api_token_revoke

router = Router(tags=["auth"])
# How stale a token's last_used_at may get: one write per token per interval, not one per request.
LAST_USED_EVERY = datetime.timedelta(minutes=5)


def _version() -> int | None:
    """people.services.caller_changed's number (None before its first move), in plain SQL: it is read on every
    request, and the ORM's compiling would cost more than the query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {CallerVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row and row[0]


# The callers this process has seen, by token hash: (the number they were read under, the token's row with its
# user, roles and person). Kept while people.services.caller_changed's number stays the same: any change of an
# account, its roles or tokens, or a person's link moves it, so every process reads such a caller again.
_callers: dict[str, tuple[int | None, ApiToken]] = {}
CALLERS_KEPT = 10_000  # past this many tokens, start again rather than grow without end


def _row(key_hash: str) -> ApiToken | None:
    version = _version()  # before the rows: what is kept is never older than the number it is kept under
    kept = _callers.get(key_hash)
    if kept is not None and kept[0] == version:
        return kept[1]
    row = ApiToken.objects.select_related("user").filter(key_hash=key_hash, user__is_active=True).first()
    if row is not None:
        scopes.assignments(row.user)  # read once, kept with the row
        scopes.person_of(row.user)
        if len(_callers) >= CALLERS_KEPT:
            _callers.clear()
        _callers[key_hash] = (version, row)
    return row


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the user of an unexpired token, also set as request.user."""

    def authenticate(self, request, token):
        row = _row(token_hash(token))
        now = timezone.now()
        if row is None or row.expires_at <= now:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        # A copy per request: what a request notes on its user (permissions it asked about) stays its own.
        request.user = copy.copy(row.user)
        request.api_token_id = row.pk  # which of the list is the one in use (GET tokens: "current")
        return request.user


def caller(request):
    """The caller of a public operation (auth=None): a visitor, the session's user, or a bearer token's user — a
    token that is sent but not valid is refused (401) rather than read as a visitor, who would not see what the
    token's owner manages."""
    if request.headers.get("Authorization") and not BearerTokenAuth()(request):
        raise AuthenticationError
    return request.user


class Credentials(Body):
    username: str = Field(max_length=150)
    password: str = Field(max_length=1000)
    name: str = Field("", max_length=100, description="what to call the token on your tokens page")


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime


@router.post("token", auth=None, response={200: TokenOut, 401: Detail, 429: Detail},
             summary="Get an API token")
def token_create(request, credentials: Credentials):
    user = authenticate(request=request, username=credentials.username, password=credentials.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in the API's JSON shape: AxesMiddleware would otherwise replace this response with
        # the HTML lockout page.
        request.axes_locked_out = False
        return Status(429, {"detail": "登录失败次数过多，账号已暂时锁定，请稍后再试 / Too many failed attempts: "
                               "this account is locked for a while, try again later"})
    if user is None or not user.is_active:
        return Status(401, {"detail": "用户名或密码错误 / Wrong username or password"})
    token, row = api_token_issue(user=user, name=credentials.name)
    return Status(200, {"token": token, "expires_at": row.expires_at})


class TokenRow(Schema):
    """A token as its owner sees it: never the secret (only its hash is stored)."""
    id: int
    name: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None = Field(None, description="to within five minutes; null if never used")
    current: bool = Field(description="the token this request was made with")


class TokenList(Schema):
    count: int
    items: list[TokenRow]


@router.get("tokens", response=TokenList, summary="List your API tokens")
def token_list(request):
    current = getattr(request, "api_token_id", None)
    items = [{"id": t.pk, "name": t.name, "created_at": t.created_at, "expires_at": t.expires_at,
              "last_used_at": t.last_used_at, "current": t.pk == current} for t in api_tokens_of(request.user)]
    return {"count": len(items), "items": items}


@router.delete("tokens/{token_id}", response={204: None}, summary="Revoke one of your API tokens")
def token_revoke(request, token_id: Id):
    """Another account's token is not found, as a missing one is: whether it exists is not told."""
    token = api_tokens_of(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404("找不到该令牌 / No such API token")
    api_token_revoke(actor=request.user, token=token)
    return Status(204, None)
