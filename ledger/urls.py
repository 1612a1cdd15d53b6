from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("screen/", views.screen, name="screen"),
    path("records/", views.records, name="records"),
    path("<str:code>/", views.public, name="public"),
    path("<str:code>/ledger.xlsx", views.xlsx, name="xlsx"),
    path("<str:code>/ledger.pdf", views.pdf, name="pdf"),
    path("<str:code>/figures.csv", views.figures_csv, name="csv"),
    path("<str:code>/deeds.csv", views.deeds_csv, name="deeds_csv"),
]
