"""A site's description is published text: the public reads it without the names of the people it may name (who
live in the site's community, members of its operator) and without phones; its staff read it as typed."""

import pytest
from django.urls import reverse

from people.services import membership_create, person_create
from sites.services import site_create

pytestmark = pytest.mark.django_db

TYPED = "联系人：李秀英，电话13912340000；党员赵晶晶值班"


@pytest.fixture
def station(root, tree, unit):
    person_create(actor=root, name="李秀英", phone="13912340000", home=tree["entrance"], is_resident=True)
    member = person_create(actor=root, name="赵晶晶", phone="13912340001")
    membership_create(actor=root, person=member, party_organisation=unit["branch"])
    return site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"],
                       operator=unit["organisation"], description=TYPED)


def test_the_public_reads_it_without_names_and_phones(client, station):
    page = client.get(reverse("sites:detail", args=[station.pk])).content.decode()
    assert "联系人：某某，电话139****0000；党员某某值班" in page
    assert "李秀英" not in page and "赵晶晶" not in page and "13912340000" not in page


def test_its_staff_read_it_as_typed(client, station, accounts):
    client.force_login(accounts["community_staff"])
    assert TYPED in client.get(reverse("sites:detail", args=[station.pk])).content.decode()
