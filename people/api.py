"""API tokens: POST /api/v1/auth/token trades a username and password for a bearer token.

Only the token's SHA-256 is stored, so a copy of the database cannot be used to call the API.
Failed attempts go through django-axes like the login page, so brute force locks out here too.
"""

import datetime

from django.contrib.auth import authenticate
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from people.models import ApiToken, token_hash
from people.services import api_token_issue

router = Router(tags=["auth"])


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the user of an unexpired token, also set as request.user."""

    def authenticate(self, request, token):
        row = (ApiToken.objects.select_related("user")
               .filter(key_hash=token_hash(token), expires_at__gt=timezone.now(), user__is_active=True)
               .first())
        if row is None:
            return None
        request.user = row.user
        return row.user


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime


class Detail(Schema):
    detail: str


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
    token, row = api_token_issue(user=user)
    return Status(200, {"token": token, "expires_at": row.expires_at})
