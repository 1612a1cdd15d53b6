"""The back office sets up and changes bodies through the services (each save its event, a 社工委 taking the
community's seats); members, meetings, attendance, minutes, resolutions and votes are read there, written only
through the services."""

import pytest
from django.urls import reverse

from core.models import Event
from meetings.models import Body

pytestmark = pytest.mark.django_db

FORM = {"kind": "committee", "name": "天庆嘉园社区社工委", "founded_on": "2021-09-10", "description": "",
        "quorum_numerator": "1", "quorum_denominator": "2", "quorum_strict": "on", "pass_numerator": "1",
        "pass_denominator": "2", "pass_strict": "on", "pass_base": "present"}


def test_a_body_added_and_changed_in_the_admin_has_its_events(client, root, tree, seats):
    client.force_login(root)
    response = client.post(reverse("admin:meetings_body_add"), {**FORM, "place": tree["tqjy"].pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    body = Body.objects.get()
    assert body.members.count() == len(seats)
    assert Event.objects.filter(verb="body_create", subject_id=str(body.pk)).count() == 1
    response = client.post(reverse("admin:meetings_body_change", args=[body.pk]),
                           {**FORM, "place": tree["tqjy"].pk, "quorum_numerator": "2", "quorum_denominator": "3",
                            "quorum_strict": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Event.objects.get(verb="body_update").data == {
        "fields": ["quorum_numerator", "quorum_denominator", "quorum_strict"], "quorum_numerator": 2,
        "quorum_denominator": 3, "quorum_strict": False}
    assert client.get(reverse("admin:meetings_body_changelist")).status_code == 200


def test_the_rest_is_read_only(client, root, held):
    client.force_login(root)
    for name in ("member", "meeting", "agendaitem", "attendance", "minutes", "attachment", "resolution", "vote"):
        assert client.get(reverse(f"admin:meetings_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:meetings_{name}_add")).status_code == 403
    assert client.get(reverse("admin:meetings_meeting_change", args=[held.pk])).status_code == 200
