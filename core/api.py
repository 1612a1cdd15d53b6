"""What every API router shares: the one error shape, its words, bounded ids and offsets, and a parser that
refuses what no database stores (NUL characters).

Every API error is JSON `{"detail": "中文 / English"}`; a validation error adds `errors: {field: [messages]}`
(FieldErrors) and a lost race adds the need's `holder` and `state`. `minsheng.api` documents these
responses on every operation and answers them for exceptions; JsonErrorsMiddleware turns every other error
under /api/ into the same shape (a URL no operation matches, ninja's 405, Django's 400/403/500 pages).
"""

from typing import Annotated

from django.http import HttpResponse, JsonResponse
from ninja import Field, Schema, Status
from ninja.errors import HttpError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import ConfigDict

API_PREFIX = "/api/"

# The largest key a BIGINT column holds: a larger id cannot name a record, and SQLite raises on it.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="a record's id")]
# Far beyond any list we keep, and small enough that offset + limit stays a 64-bit integer.
MAX_OFFSET = 10**9
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="skip this many items")]

MESSAGES = {
    400: "请求无法解析：请发送 JSON（UTF-8，不含空字符）/ The request cannot be read: send JSON (UTF-8, "
         "no NUL characters)",
    401: "需要有效的 API 令牌，请先登录获取 / A valid API token is required: get one from POST /api/v1/auth/token",
    403: "您没有权限访问此内容 / You are not allowed to access this",
    404: "找不到该内容 / Not found",
    405: "不支持此请求方法 / This method is not allowed here",
    413: "请求内容过大 / The request is too large",
    422: "请求内容有误，请检查各字段 / The request is not valid: check the fields",
    429: "请求过于频繁，请稍后再试 / Too many requests: try again later",
    500: "服务器出错，已记录，请稍后再试 / Something went wrong on our side: it was logged, try again later",
}


class ReadableJSON(JSONRenderer):
    """UTF-8 as it is (天庆嘉园, not \\u5929\\u5e86…): what a person reading the response, or a log, can read."""

    json_dumps_params = {"ensure_ascii": False}
    encoder_class = NinjaJSONEncoder


def sent_as_built(request, data) -> HttpResponse:
    """A 200 answer of `data`, rendered as every answer is, without ninja validating it through the operation's
    response schema again: for a hot read that builds its fields in the schema's types and order."""
    renderer = ReadableJSON()
    return HttpResponse(renderer.render(request, data, response_status=200),
                        content_type=f"{renderer.media_type}; charset={renderer.charset}")


class Body(Schema):
    """A request body: a key the operation does not know is refused by name (422), never silently dropped,
    so that a misspelt field, or one the caller may not set (`actor`, `state`), is reported."""

    model_config = ConfigDict(extra="forbid")


class Detail(Schema):
    detail: str = Field(description="what went wrong: Chinese, then English")


class FieldErrors(Detail):
    errors: dict[str, list[str]] = Field(description="the messages for each field ('__all__' for the request)")


def refused(error) -> Status:
    """A service's refusal (django's ValidationError) as the API's 422: the messages of each field, and as the
    detail the rule's own words when the refusal is the request's as a whole ("需至少提前24小时预约，最早可预约：…"),
    so that a client showing only the detail still says why."""
    if hasattr(error, "error_dict"):
        errors = {field: [str(m) for m in type(error)(messages).messages]
                  for field, messages in error.error_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in error.messages]}
    detail = "；".join(errors["__all__"]) if errors.get("__all__") else MESSAGES[422]
    return Status(422, {"detail": detail, "errors": errors})


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, detail: str = "") -> JsonResponse:
    """An API error outside a ninja operation, in the same shape and words."""
    return JsonResponse({"detail": detail or MESSAGES[status]}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class NulRefusingParser(Parser):
    """JSON bodies and query strings as ninja parses them, refused (400) when they carry a NUL character:
    PostgreSQL cannot store one, and no person types one."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _has_nul(data):
            raise HttpError(400, MESSAGES[400])
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if _has_nul(parsed):
            raise HttpError(400, MESSAGES[400])
        return parsed


class JsonErrorsMiddleware:
    """Under /api/, an error answered by something other than the API's handlers — ninja's 405 for a method an
    endpoint does not take, a refusal from a middleware — still comes as JSON in the one shape (headers such as
    Allow kept), never as an HTML or plain-text page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (is_api(request) and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            answer = json_error(response.status_code, MESSAGES.get(response.status_code) or response.reason_phrase)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    answer[header] = response[header]
            return answer
        return response
