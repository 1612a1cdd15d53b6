from django.urls import path

from rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/template.xlsx", views.template, name="template"),
    path("<slug:slug>/export.xlsx", views.export, name="export"),
    path("<slug:slug>/upload", views.upload, name="upload"),
    path("imports/<uuid:pk>/", views.preview, name="preview"),
    path("imports/<uuid:pk>/confirm", views.confirm, name="confirm"),
    path("imports/<uuid:pk>/cancel", views.cancel, name="cancel"),
    path("imports/<uuid:pk>/errors.xlsx", views.error_report, name="error_report"),
]
