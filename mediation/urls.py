from django.urls import path

from mediation import views

app_name = "mediation"

urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("new/", views.receive, name="receive"),
    path("new/pick/", views.receive_pick, name="receive_pick"),
    path("from-need/<int:need_id>/", views.from_need, name="from_need"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/parties/", views.party_add, name="party_add"),
    path("<int:pk>/parties/<int:party>/phone/", views.party_phone, name="party_phone"),
    path("<int:pk>/mediators/", views.mediator_add, name="mediator_add"),
    path("<int:pk>/pick/<str:field>/", views.pick, name="pick"),
    path("<int:pk>/agreement.pdf", views.agreement, name="agreement"),
    path("pairs/<str:code>/", views.pair_set, name="pair_set"),
    path("pairs/<str:code>/pick/<str:field>/", views.pair_pick, name="pair_pick"),
]
