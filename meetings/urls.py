from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("bodies/new/", views.body_create, name="body_create"),
    path("bodies/<int:pk>/", views.body_detail, name="body"),
    path("bodies/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("bodies/<int:pk>/members/pick/<str:field>/", views.member_pick, name="member_pick"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("bodies/<int:pk>/schedule/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/minutes/", views.minutes_write, name="minutes_write"),
    path("<int:pk>/minutes/revise/", views.minutes_revise, name="minutes_revise"),
    path("<int:pk>/minutes/<int:version>/", views.minutes_version, name="minutes_version"),
    path("minutes/<int:pk>/approve/", views.minutes_approve, name="minutes_approve"),
    path("minutes/<int:pk>/publish/", views.minutes_publish, name="minutes_publish"),
    path("minutes/<int:pk>/attach/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/resolutions/", views.resolution_propose, name="resolution_propose"),
    path("resolutions/<int:pk>/decide/", views.resolution_decide, name="resolution_decide"),
    path("resolutions/<int:pk>/vote/", views.vote, name="vote"),
    path("resolutions/<int:pk>/withdraw/", views.resolution_withdraw, name="resolution_withdraw"),
    path("resolutions/<int:pk>/done/", views.resolution_done, name="resolution_done"),
    path("resolutions/<int:pk>/need/", views.need_create, name="need_create"),
    path("resolutions/<int:pk>/link/", views.need_link, name="need_link"),
    path("resolutions/<int:pk>/link/pick/", views.need_pick, name="need_pick"),
    path("resolutions/<int:pk>/activity/", views.activity_create, name="activity_create"),
    path("public/", views.public_list, name="public"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
