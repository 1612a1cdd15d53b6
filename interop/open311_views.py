"""Open311 GeoReport v2 at /open311/v2/ (interop.open311 reads and files; these parse and render). Every answer
is the format the URL asks (.xml or .json), errors included: never an HTML page."""

import functools
import hashlib

from django.conf import settings
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from core.middleware import carries_nul
from interop import open311
from interop.open311 import Open311Error, error_response, render
from needs.ratelimit import bucket_take, client_key


def answers(*methods):
    """A view of the spec: only `methods` (else 405 in the error shape); jurisdiction_id checked when given;
    a refusal rendered as the spec's list of errors. CSRF does not apply: a write carries its own api_key."""
    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, fmt="json", **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(405, f"此处不支持 {request.method} 请求 / {request.method} is not allowed here")
                if carries_nul(request):  # PostgreSQL can neither store nor compare one; no one types it
                    raise Open311Error(400, "请求中含有空字符（\\0），请删除后重试 / The request holds a NUL character "
                                            "(\\0): remove it and try again")
                if request.method == "GET":
                    open311.jurisdiction_check(request.GET.get("jurisdiction_id"))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error)
                if error.code == 405:
                    response["Allow"] = ", ".join(methods)
                return response
        return wrapper
    return decorate


def _media_url(request):
    return lambda photo: request.build_absolute_uri(photo.image.url)


@answers("GET")
def discovery(request, fmt):
    root = reverse("open311:discovery", kwargs={"fmt": fmt}).removesuffix(f"discovery.{fmt}")
    return render(fmt, "discovery", open311.discovery(request.build_absolute_uri(root)))


@answers("GET")
def services(request, fmt):
    return render(fmt, "services", open311.services())


@answers("GET")
def service(request, code, fmt):
    return render(fmt, "service_definition", open311.service_definition(code))


@answers("GET", "POST")
def requests(request, fmt):
    """GET: the public requests the filters ask for (the next page's cursor in the `X-Next-Before` header and
    the `Link` header, docs/interop.md); POST: file one, answered by its token."""
    if request.method == "POST":
        return render(fmt, "service_requests", open311.filed(open311.request_file(request.POST)), status=201)
    rows, before = open311.requests_list(request.GET, _media_url(request))
    response = render(fmt, "service_requests", rows)
    if before is not None:
        query = request.GET.copy()
        query["before"] = str(before)
        response["X-Next-Before"] = str(before)
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    return response


@answers("GET")
def request_detail(request, request_id, fmt):
    return render(fmt, "service_requests", open311.request_one(request_id, _media_url(request)))


@answers("GET")
def token(request, token, fmt):
    # Tokens are the tracking references (查询码): looked up under the tracking page's limit, so they cannot be
    # guessed by trying many either.
    key = hashlib.sha256(f"open311-token:{client_key(request)}".encode()).hexdigest()
    if not bucket_take(key, capacity=settings.NEEDS_TRACK_BURST, per_hour=settings.NEEDS_TRACK_PER_HOUR):
        raise Open311Error(429, "查询过于频繁，请稍后再试 / Too many look-ups: try again later")
    return render(fmt, "service_requests", open311.token_lookup(token))


@csrf_exempt
def unknown(request):
    return error_response("json", Open311Error(404, "找不到该接口：见 discovery.xml / No such Open311 operation: see "
                                                    "discovery.xml"))
