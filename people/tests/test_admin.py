import pytest
from django.urls import reverse

from core.models import Event
from people.models import Organisation, Person

pytestmark = pytest.mark.django_db


def test_it_creates_a_person_in_the_admin_through_the_service_and_links_the_account(client, root, tree,
                                                                                    accounts):
    client.force_login(root)
    response = client.post(reverse("admin:people_person_add"), {
        "name": "孙丽", "phone": "13655556666", "home": tree["entrance"].pk, "room": "501",
        "user": accounts["committee_member"].pk})
    assert response.status_code == 302
    person = Person.objects.get(phone="13655556666")
    assert person.user == accounts["committee_member"]
    assert Event.objects.filter(verb="person_create", subject_id=str(person.pk)).count() == 1
    assert Event.objects.filter(verb="person_account_link", subject_id=str(person.pk)).count() == 1


def test_it_updates_an_organisation_in_the_admin_through_the_service(client, root, unit):
    client.force_login(root)
    org = unit["organisation"]
    client.post(reverse("admin:people_organisation_change", args=[org.pk]), {
        "kind": org.kind, "name": org.name, "place": org.place_id, "service_categories": "义诊, 法律咨询"})
    assert Organisation.objects.get(pk=org.pk).service_categories == "义诊, 法律咨询"
    assert Event.objects.filter(verb="organisation_update", subject_id=str(org.pk)).count() == 1


def test_it_refuses_a_wrong_phone_in_the_admin(client, root):
    client.force_login(root)
    response = client.post(reverse("admin:people_person_add"), {"name": "错电话", "phone": "555"})
    assert response.status_code == 200 and not Person.objects.filter(name="错电话").exists()
