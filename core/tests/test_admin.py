import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from core.models import Event

pytestmark = pytest.mark.django_db

APPS = ("core", "places", "people", "sites")


def test_it_registers_every_model_of_the_foundation_apps():
    missing = [m._meta.label for app in APPS for m in apps.get_app_config(app).get_models()
               if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", [m for app in APPS for m in apps.get_app_config(app).get_models()],
                         ids=lambda m: m._meta.label)
def test_it_lists_each_model_in_the_admin(client, root, accounts, model):
    client.force_login(root)
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "天庆"})
    assert response.status_code == 200


def test_it_keeps_the_event_log_read_only_in_the_admin(client, root, tree):
    client.force_login(root)
    event = Event.objects.first()
    assert client.get(reverse("admin:core_event_add")).status_code == 403
    response = client.post(reverse("admin:core_event_change", args=[event.pk]), {"verb": "forged"})
    event.refresh_from_db()
    assert event.verb != "forged"
    assert client.post(reverse("admin:core_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists() and response.status_code in (200, 403)


def test_every_domain_admin_appends_events_for_its_writes():
    from core.admin_services import AuditedAdmin

    domain = ("places", "people", "sites", "needs")
    plain = [label for model, model_admin in admin.site._registry.items()
             if model._meta.app_label in domain and not isinstance(model_admin, AuditedAdmin)
             for label in [model._meta.label]]
    assert plain == []


def test_an_admin_add_change_and_delete_each_append_an_event(client, root, tree):
    from people.models import Honour

    client.force_login(root)
    fields = {"title": "全国文明社区", "place": tree["tqjy"].pk, "awarded_on": "2021-05-01", "awarded_by": "中央文明委"}
    assert client.post(reverse("admin:people_honour_add"), fields).status_code == 302
    honour = Honour.objects.get(title="全国文明社区")
    client.post(reverse("admin:people_honour_change", args=[honour.pk]),
                {**fields, "awarded_by": "中央文明办", "place": tree["wlpd"].pk})
    client.post(reverse("admin:people_honour_delete", args=[honour.pk]), {"post": "yes"})
    events = Event.objects.filter(subject_type="people.honour", subject_id=str(honour.pk)).order_by("id")
    assert [(e.verb, e.actor_id) for e in events] == [("honour_create", root.pk), ("honour_change", root.pk),
                                                      ("honour_delete", root.pk)]
    # a related record by its key: the text of some (a person) is personal data
    assert events[1].data == {"via": "admin", "awarded_by": "中央文明办", "place": tree["wlpd"].pk}
    assert not Honour.objects.exists()
