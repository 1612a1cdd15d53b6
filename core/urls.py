from django.contrib.auth import views as auth_views
from django.urls import path

from core import views
from core.forms import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every app's notifications (core.notify), at the address the needs loop gave them first.
    path("needs/inbox/", views.inbox, name="inbox"),
    path("needs/inbox/read/", views.inbox_read, name="inbox_read"),
    path("needs/inbox/<int:pk>/open/", views.inbox_open, name="inbox_open"),
    # The event log's signed checkpoints, for anyone to read and keep (docs/verifiable-history.md).
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("checkpoints/latest.json", views.checkpoint_latest, name="checkpoint_latest"),
    path("checkpoints/<int:number>.json", views.checkpoint_json, name="checkpoint_json"),
]
