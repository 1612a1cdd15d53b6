from django.urls import path

from needs import views

app_name = "needs"

urlpatterns = [
    path("", views.board, name="board"),
    path("map/", views.board_map, name="board_map"),
    path("submit/", views.submit, name="submit"),
    path("mine/", views.mine, name="mine"),
    path("triage/", views.triage, name="triage"),
    path("triage/bulk/", views.bulk, name="bulk"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/proof/", views.proof, name="proof"),
    path("<int:pk>/proof.json", views.proof_json, name="proof_json"),
    path("check-proof.py", views.proof_script, name="proof_script"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/check-text/", views.text_check, name="text_check"),
    path("<int:pk>/pick/<slug:action>/<slug:field>/", views.pick, name="pick"),
    path("track/", views.track, name="track"),
    path("track/<str:reference>/", views.track_detail, name="track_detail"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/call/", views.callback_reveal, name="callback_reveal"),
    path("callbacks/<int:pk>/grade/", views.callback_record, name="callback_record"),
]
