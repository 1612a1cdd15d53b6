import pytest
from django.urls import reverse

from core.models import Event
from sites.models import Site

pytestmark = pytest.mark.django_db


def test_it_creates_a_site_in_the_admin_through_the_service(client, root, tree):
    client.force_login(root)
    response = client.post(reverse("admin:sites_site_add"), {
        "kind": "station", "name": "五里铺东便民驿站", "place": tree["compound2"].pk, "opening_hours": "每天"})
    assert response.status_code == 302
    site = Site.objects.get(name="五里铺东便民驿站")
    assert Event.objects.filter(verb="site_create", subject_id=str(site.pk)).count() == 1
