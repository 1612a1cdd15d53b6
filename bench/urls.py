from django.urls import path

from bench import views
from minsheng.urls import handler403, handler404  # noqa: F401
from minsheng.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bare/list", views.bare_list),
    path("bare/needs/<int:pk>", views.bare_detail),
    path("bare/needs", views.bare_submit),
    path("bare/needs/<int:pk>/claim", views.bare_claim),
    path("bare/ledger", views.bare_ledger),
    *app_urlpatterns,
]
