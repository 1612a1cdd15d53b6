from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/add/", views.organisation_create_view, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_update_view, name="organisation_update"),
    path("members/", views.members, name="members"),
    path("residents/", views.residents, name="residents"),
    path("add/", views.person_create_view, name="person_create"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/edit/", views.person_update_view, name="person_update"),
    path("memberships/<int:pk>/report/", views.member_report_view, name="member_report"),
    path("reports/<int:pk>/place/", views.member_place_view, name="member_place"),
    path("coverage/<str:code>/add/", views.coverage_create_view, name="coverage_create"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
