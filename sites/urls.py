from django.urls import path

from sites import poster_views, views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("add/", views.site_create_view, name="site_create"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("<int:pk>/edit/", views.site_update_view, name="site_update"),
    path("<int:pk>/poster.pdf", poster_views.poster, name="poster"),
]
