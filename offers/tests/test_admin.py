"""The back office saves offers through the services: each save is an offer_create / offer_update event."""

import pytest
from django.urls import reverse

from core.models import Event
from offers.models import Offer

pytestmark = pytest.mark.django_db


def test_an_offer_added_and_changed_in_the_admin_has_its_events(client, root, unit, tree, offer):
    client.force_login(root)
    assert client.get(reverse("admin:offers_offer_changelist")).status_code == 200
    assert client.get(reverse("admin:offers_offer_change", args=[offer.pk])).status_code == 200
    form = {"kind": "clinic", "name": "社区义诊", "organisation": unit["organisation"].pk,
            "communities": [tree["tqjy"].pk], "eligibility": ["elderly"], "residents_only": "on",
            "min_notice_hours": "0", "horizon_days": "30",
            "cancel_notice_hours": "0", "per_person_days": "30", "confirmation": "automatic", "bookable": "on",
            "description": ""}
    response = client.post(reverse("admin:offers_offer_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Offer.objects.get(name="社区义诊")
    assert added.eligibility == ["elderly"] and list(added.communities.all()) == [tree["tqjy"]]
    assert Event.objects.filter(verb="offer_create", subject_id=str(added.pk)).count() == 1
    response = client.post(reverse("admin:offers_offer_change", args=[added.pk]), {**form, "min_notice_hours": "24"})
    assert response.status_code == 302
    assert Offer.objects.get(pk=added.pk).min_notice_hours == 24
    event = Event.objects.filter(verb="offer_update", subject_id=str(added.pk)).get()
    assert event.data["fields"] == ["min_notice_hours"]
