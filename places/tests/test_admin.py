import pytest
from django.urls import reverse

from core.models import Event
from places.models import Place

pytestmark = pytest.mark.django_db


def test_it_creates_and_changes_places_in_the_admin_through_the_services(client, root, tree):
    client.force_login(root)
    response = client.post(reverse("admin:places_place_add"), {
        "kind": "compound", "name": "天庆嘉园B区", "code": "620102010001001002", "parent": tree["grid1"].pk})
    assert response.status_code == 302
    place = Place.objects.get(code="620102010001001002")
    assert Event.objects.filter(verb="place_create", subject_id=str(place.pk)).count() == 1
    client.post(reverse("admin:places_place_change", args=[place.pk]), {
        "kind": "compound", "name": "天庆嘉园B区", "code": place.code, "parent": tree["grid1"].pk,
        "households": "640"})
    place.refresh_from_db()
    assert place.households == 640
    assert Event.objects.filter(verb="place_update", subject_id=str(place.pk)).count() == 1


def test_it_shows_a_wrong_code_in_the_admin_and_writes_nothing(client, root, tree):
    client.force_login(root)
    response = client.post(reverse("admin:places_place_add"), {
        "kind": "grid", "name": "错网格", "code": "6201020100010", "parent": tree["tqjy"].pk})
    assert response.status_code == 200 and not Place.objects.filter(name="错网格").exists()
