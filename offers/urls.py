from django.urls import path

from offers import views

app_name = "offers"

urlpatterns = [
    path("", views.offer_list, name="list"),
    path("<int:pk>/", views.offer_detail, name="detail"),
    path("sessions/<int:pk>/book/", views.book, name="book"),
    path("sessions/<int:pk>/book/pick/", views.book_pick, name="book_pick"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/act/<slug:action>/", views.booking_act, name="booking_act"),
    path("bookings/<int:pk>/contact/", views.booking_contact, name="booking_contact"),
    path("mine/", views.mine, name="mine"),
    path("provider/", views.provider, name="provider"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.offer_create, name="offer_create"),
    path("manage/pick/", views.provider_pick, name="provider_pick"),
    path("<int:pk>/edit/", views.offer_update, name="offer_update"),
    path("<int:pk>/sessions/", views.sessions, name="sessions"),
    path("<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("<int:pk>/sessions/repeat/", views.sessions_repeat, name="sessions_repeat"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
]
