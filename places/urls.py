from django.urls import path

from places import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("pick/<slug:picker>/", views.pick, name="pick"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/add/", views.place_create_view, name="place_create"),
    path("<str:code>/edit/", views.place_update_view, name="place_update"),
]
