from django.contrib import admin
from django.urls import include, path, re_path

from core.media import public_file
from minsheng import home, search
from minsheng.api import api
from needs.views import photo as need_photo
from places.poster_views import short as place_short
from sites.poster_views import short as site_short

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("places/", include("places.urls")),
    path("people/", include("people.urls")),
    path("sites/", include("sites.urls")),
    path("needs/", include("needs.urls")),
    path("offers/", include("offers.urls")),
    path("volunteering/", include("volunteering.urls")),
    path("meetings/", include("meetings.urls")),
    path("mediation/", include("mediation.urls")),
    path("ledger/", include("ledger.urls")),
    path("rosters/", include("rosters.urls")),
    path("interop/", include("interop.urls")),
    path("open311/v2/", include("interop.open311_urls")),
    path("search/", search.search, name="search"),
    # The short addresses a QR poster opens (places.posters): a place by its code, a site by its number.
    path("p/<str:code>", place_short, name="place_short"),
    path("s/<int:pk>", site_short, name="site_short"),
    path("", home.home, name="home"),
    path("", include("core.urls")),
    # Uploaded files (MEDIA_URL), each answered by a view that checks who may see it; behind nginx the view
    # hands the file over with X-Accel-Redirect (settings.MEDIA_ACCEL_REDIRECT). A need's photo is seen by
    # those who may open the need; the photos of stations, facilities and micro-positions by anyone.
    re_path(r"^media/needs/(?P<need_id>\d+)/(?P<token>[0-9a-f]{32})(?P<thumb>\.thumb)?\.jpg$", need_photo,
            name="need_photo"),
    re_path(r"^media/(?P<path>sites/.+)$", public_file, name="public_media"),
]

handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"
handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"
