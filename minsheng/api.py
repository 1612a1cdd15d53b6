"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router.

Every endpoint needs a bearer token (`Authorization: Bearer …`, from POST /api/v1/auth/token) or,
for a browser that is logged in, the session cookie. Every error has one shape:
`{"detail": "中文 … / English …"}` (validation errors add the field list under "errors").
"""

import logging
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from core.api import MESSAGES, Detail, FieldErrors, NulRefusingParser, ReadableJSON
from interop.api import router as webhooks_router
from ledger.api import router as ledger_router
from mediation.api import router as mediation_router
from meetings.api import router as meetings_router
from needs.api import categories_router
from needs.api import router as needs_router
from offers.api import bookings_router, offers_router
from people.api import BearerTokenAuth
from people.api import router as auth_router
from places.api import router as places_router
from sites.api import loans_router as station_loans_router
from sites.api import router as stations_router
from volunteering.api import activities_router, volunteers_router

logger = logging.getLogger(__name__)


# Documented on every operation (beside its own responses): each may answer these, in the shape of core.api.
COMMON_ERRORS = {
    400: ("Detail", "the body or query string cannot be read (not JSON, not UTF-8, a NUL character)"),
    401: ("Detail", "no valid token or session (operations that need one)"),
    403: ("Detail", "the caller may not do this"),
    404: ("Detail", "no such record, or not visible to the caller"),
    # Answered by the web server in front (gunicorn, nginx) before any of our code: no body in our shape.
    414: (None, "the URL is too long (a query string of more than about 4 KB)"),
    422: ("FieldErrors", "a field is missing or not valid: the messages by field"),
    500: ("Detail", "a fault on the server side (logged)"),
}


class Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """ninja's document, with the errors every operation may answer: so that the document and the
        responses agree (schemathesis checks it in .ci/run)."""
        schema = super().get_openapi_schema(**kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (Detail, FieldErrors):
            schemas.setdefault(model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}"))
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                for status, (model, description) in COMMON_ERRORS.items():
                    if status in (401,) and not operation.get("security"):
                        continue
                    content = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}}
                    responses.setdefault(status, {"description": description, **(content if model else {})})
        return schema


api = Api(
    title="Minsheng API", version="1", urls_namespace="api",
    description="民生 Minsheng: places, people and the needs loop of a subdistrict.",
    auth=[BearerTokenAuth(), SessionAuth()], parser=NulRefusingParser(), renderer=ReadableJSON(),
)


def error(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return error(request, 401, MESSAGES[401])


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return error(request, 403, MESSAGES[403])


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, str(exc) or MESSAGES[404])


@api.exception_handler(HttpError)
def http_error(request, exc):
    """ninja's own refusals (an unreadable body: 400; a method not allowed: 405) in our words."""
    return error(request, exc.status_code, MESSAGES.get(exc.status_code) or str(exc))


@api.exception_handler(MultiPartParserError)
def unreadable_form(request, exc):
    """A form body that cannot be read (a multipart body without its boundary, say): the caller's fault."""
    return error(request, 400, MESSAGES[400])


@api.exception_handler(Exception)
def server_error(request, exc):
    """A fault is logged with its traceback and answered in the API's shape, never Django's HTML page."""
    logger.exception("API error: %s %s", request.method, request.path)
    return error(request, 500, MESSAGES[500])


# pydantic's messages are English: each common kind of error is said first in Chinese (its limits filled in).
CHINESE = {
    "string_type": "应为文字", "string_too_short": "不能为空",
    "string_too_long": "不能超过 {max_length} 个字", "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "greater_than_equal": "不能小于 {ge}", "less_than_equal": "不能大于 {le}",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "enum": "应为以下之一：{expected}", "date_type": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD", "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "extra_forbidden": "不接受此字段",
    "model_attributes_type": "应为一个对象", "dict_type": "应为一个对象", "list_type": "应为一个列表",
}


def field_errors(errors: list[dict]) -> dict[str, list[str]]:
    """pydantic's error list as the documented {field: [messages]}; a field is named by its last key."""
    fields: dict[str, list[str]] = {}
    for e in errors:
        chinese = CHINESE.get(e.get("type", ""))
        if e.get("type") == "missing":
            message = "此项必填 / This field is required"
        elif chinese:
            message = f"{chinese.format_map(defaultdict(str, e.get('ctx') or {}))} / {e.get('msg', '')}"
        else:
            message = e.get("msg", "")
        fields.setdefault(str(e["loc"][-1]) if e.get("loc") else "__all__", []).append(message)
    return fields


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return error(request, 422, MESSAGES[422], errors=field_errors(exc.errors))


api.add_router("/auth/", auth_router)
api.add_router("/places", places_router)
api.add_router("/needs", needs_router)
api.add_router("/categories", categories_router)  # public: what a need's `category` takes
api.add_router("/offers", offers_router)
api.add_router("/bookings", bookings_router)
api.add_router("/stations", stations_router)  # the list and a station: public (auth=None); loans and stock: operators
api.add_router("/loans", station_loans_router)
api.add_router("/activities", activities_router)  # the list and an activity: public (auth=None)
api.add_router("/volunteers", volunteers_router)
api.add_router("/meetings", meetings_router)  # the list and a meeting: public (auth=None), members and managers more
api.add_router("/disputes", mediation_router)  # staff and the case's mediators; 404 outside a case
api.add_router("/ledger", ledger_router)  # public open data: its endpoint sets auth=None
api.add_router("/webhooks", webhooks_router)  # administrators only (403 to anyone else)
