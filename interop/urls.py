from django.urls import path

from interop import sms_views

app_name = "interop"

urlpatterns = [
    path("sms/", sms_views.sms_settings, name="sms"),
    path("sms/reply", sms_views.sms_reply, name="sms_reply"),
]
