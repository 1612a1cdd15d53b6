"""The back office saves activities and volunteers through the services (each save its event); sign-ups, hours,
corrections, record entries and certificates are read there, written only through the services."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Event
from volunteering.models import Activity, Volunteer

pytestmark = pytest.mark.django_db


def test_an_activity_added_and_changed_in_the_admin_has_its_events(client, root, team, tree, activity):
    client.force_login(root)
    assert client.get(reverse("admin:volunteering_activity_changelist")).status_code == 200
    assert client.get(reverse("admin:volunteering_activity_change", args=[activity.pk])).status_code == 200
    start = timezone.localtime(activity.starts_at)
    form = {"kind": "fire", "name": "消防安全宣传", "description": "", "team": team.pk, "place": tree["tqjy"].pk,
            "starts_at_0": f"{start:%Y-%m-%d}", "starts_at_1": "09:00:00", "ends_at_0": f"{start:%Y-%m-%d}",
            "ends_at_1": "11:00:00", "capacity": "10", "is_published": "on"}
    response = client.post(reverse("admin:volunteering_activity_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Activity.objects.get(name="消防安全宣传")
    assert added.capacity == 10 and added.checkin_code
    assert Event.objects.filter(verb="activity_create", subject_id=str(added.pk)).count() == 1
    response = client.post(reverse("admin:volunteering_activity_change", args=[added.pk]), {**form, "capacity": "20"})
    assert response.status_code == 302
    assert Event.objects.get(verb="activity_update", subject_id=str(added.pk)).data == {"capacity": 20,
                                                                                        "fields": ["capacity"]}


def test_a_volunteer_registered_in_the_admin_gets_a_number(client, root, accounts):
    from people import scopes

    client.force_login(root)
    person = scopes.person_of(accounts["resident"])
    response = client.post(reverse("admin:volunteering_volunteer_add"), {"person": person.pk, "id_card_number": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    volunteer = Volunteer.objects.get(person=person)
    assert volunteer.number.startswith("ZY620102010001")
    response = client.post(reverse("admin:volunteering_volunteer_change", args=[volunteer.pk]),
                           {"id_card_number": "", "name_public": "on"})
    assert response.status_code == 302
    assert Volunteer.objects.get(pk=volunteer.pk).name_public
    for name in ("signup", "servicehours", "hourscorrection", "recordentry", "certificate"):
        assert client.get(reverse(f"admin:volunteering_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:volunteering_{name}_add")).status_code == 403
