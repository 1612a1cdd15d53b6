"""Published text on the demo data set: every demo person's name and phone, written into a note about a need in
their place (or one they reported), is masked on what the public reads; the demo's own texts keep their
words (no false alarm on them)."""

import pytest
from django.urls import reverse

from needs.models import Need, ProgressNote
from needs.public import names_on_record
from people.models import Person
from people.public import personal_data_in, public_text


@pytest.fixture
def demo(demo_db, db):
    if not Need.objects.exists():
        pytest.skip("the demo has no needs")


def test_every_demo_persons_name_and_phone_is_masked(demo):
    people = list(Person.objects.select_related("home").order_by("pk"))
    assert len(people) > 1000
    by_home: dict = {}
    for person in people:
        by_home.setdefault(person.home, []).append(person)
    anywhere = Need.objects.select_related("place").first().place
    unmasked = []
    for home, residents in by_home.items():
        for person in residents:
            # A need in the person's home (its neighbours are on record), or one they reported if they have none.
            need = Need(place=home) if home is not None else Need(place=anywhere, reporter=person)
            names = names_on_record(need)
            note = f"电话回访{person.name}，手机{person.phone}，{person.name[0]}阿姨也在"
            published = public_text(note, names)
            if person.name in published or person.phone in published or not personal_data_in(note, names):
                unmasked.append((person.name, published))
    assert unmasked == []


def test_the_demo_texts_keep_their_words(demo):
    """The demo's notes, comments and titles name no one: the public reads them as typed, but for the entrances,
    buildings and rooms they give."""
    changed = []
    for need in Need.objects.select_related("place"):
        names = names_on_record(need)
        texts = [need.title, need.description, need.rating_comment, need.resolution_note,
                 *ProgressNote.objects.filter(need=need).values_list("text", flat=True)]
        changed += [t for t in texts if personal_data_in(t, names)]
    assert changed == []


def test_a_demo_need_page_masks_a_neighbour_named_in_its_completion_note(demo, client):
    need = Need.objects.filter(is_public=True, state="closed").exclude(resolution_note="").select_related("place")[0]
    neighbour = Person.objects.filter(home__code__startswith=need.place.code).exclude(phone="").first()
    assert neighbour is not None
    need.resolution_note = f"已回访{neighbour.name}，电话{neighbour.phone}"
    need.save(update_fields=["resolution_note"])
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "已回访某某，电话" in page and neighbour.name not in page and neighbour.phone not in page
