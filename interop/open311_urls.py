"""Open311 GeoReport v2 (/open311/v2/): each operation in the format its extension asks, .xml or .json."""

from django.urls import re_path

from interop import open311_views as views

app_name = "open311"

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    # Anything else under /open311/v2/ (a misspelt operation, another format): 404 in the error shape, as JSON.
    re_path(r"^.*$", views.unknown, name="unknown"),
]
