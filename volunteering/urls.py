from django.urls import path

from volunteering import views

app_name = "volunteering"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("register/", views.register, name="register"),
    path("<int:pk>/code/", views.checkin_code, name="checkin_code"),
    path("<int:pk>/c/<str:code>/", views.checkin, name="checkin"),
    path("<int:pk>/c/<str:code>/do/", views.checkin_do, name="checkin_do"),
    path("<int:pk>/list/", views.roster, name="roster"),
    path("<int:pk>/list/tick/", views.roster_tick, name="roster_tick"),
    path("<int:pk>/list/walk-in/", views.walk_in, name="walk_in"),
    path("<int:pk>/list/walk-in/pick/", views.walk_in_pick, name="walk_in_pick"),
    path("<int:pk>/hours/propose/", views.hours_propose, name="hours_propose"),
    path("<int:pk>/hours/certify/", views.hours_certify, name="hours_certify"),
    path("hours/<int:pk>/correct/", views.hours_correct, name="hours_correct"),
    path("hours/<int:pk>/query/", views.hours_query, name="hours_query"),
    path("me/", views.mine, name="mine"),
    path("me/record.xlsx", views.export, name="export"),
    path("me/certificates/", views.certificate_request, name="certificate_request"),
    path("certificates/<int:pk>.pdf", views.certificate_download, name="certificate"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("organise/", views.organise, name="organise"),
    path("organise/new/", views.activity_create, name="activity_create"),
    path("<int:pk>/edit/", views.activity_update, name="activity_update"),
    path("<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
]
