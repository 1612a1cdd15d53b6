from django.urls import path

from needs import views

app_name = "needs"

urlpatterns = [
    path("", views.board, name="board"),
    path("submit/", views.submit, name="submit"),
    path("mine/", views.mine, name="mine"),
    path("triage/", views.triage, name="triage"),
    path("inbox/", views.inbox, name="inbox"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
]
