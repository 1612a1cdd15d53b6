"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router.

Every endpoint needs a bearer token (`Authorization: Bearer …`, from POST /api/v1/auth/token) or,
for a browser that is logged in, the session cookie. Every error has one shape:
`{"detail": "中文 … / English …"}` (validation errors add the field list under "errors").
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import SessionAuth

from ledger.api import router as ledger_router
from needs.api import router as needs_router
from people.api import BearerTokenAuth
from people.api import router as auth_router
from places.api import router as places_router

api = NinjaAPI(
    title="Minsheng API", version="1", urls_namespace="api",
    description="民生 Minsheng: places, people and the needs loop of a subdistrict.",
    auth=[BearerTokenAuth(), SessionAuth()],
)


def error(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return error(request, 401, "需要有效的 API 令牌，请先登录获取 / A valid API token is required: "
                               "get one from POST /api/v1/auth/token")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return error(request, 403, "您没有权限访问此内容 / You are not allowed to access this")


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, str(exc) or "找不到该内容 / Not found")


def field_errors(errors: list[dict]) -> dict[str, list[str]]:
    """pydantic's error list as the documented {field: [messages]}; a field is named by its last key."""
    fields: dict[str, list[str]] = {}
    for e in errors:
        message = "此项必填 / This field is required" if e.get("type") == "missing" else e.get("msg", "")
        fields.setdefault(str(e["loc"][-1]) if e.get("loc") else "__all__", []).append(message)
    return fields


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return error(request, 422, "请求内容有误，请检查各字段 / The request is not valid: check the fields",
                 errors=field_errors(exc.errors))


api.add_router("/auth/", auth_router)
api.add_router("/places", places_router)
api.add_router("/needs", needs_router)
api.add_router("/ledger", ledger_router)  # public open data: its endpoint sets auth=None
