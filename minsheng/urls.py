from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from minsheng import home
from minsheng.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("places/", include("places.urls")),
    path("people/", include("people.urls")),
    path("sites/", include("sites.urls")),
    path("needs/", include("needs.urls")),
    path("ledger/", include("ledger.urls")),
    path("rosters/", include("rosters.urls")),
    path("", home.home, name="home"),
    path("", include("core.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"
