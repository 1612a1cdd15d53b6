from django.urls import path

from places import poster_views, views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("pick/<slug:picker>/", views.pick, name="pick"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/add/", views.place_create_view, name="place_create"),
    path("<str:code>/edit/", views.place_update_view, name="place_update"),
    path("<str:code>/poster.pdf", poster_views.poster, name="poster"),
    path("<str:code>/posters.pdf", poster_views.batch, name="posters"),
]
