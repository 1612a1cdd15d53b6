"""Reports that can be followed: an anonymous or QR report gets a tracking reference (查询码), shown on screen
and sent to the phone it left; a public status page by reference shows no personal data; a resident's form
starts at their home."""

import re

import pytest
from django.urls import reverse

from core.notify import Contact
from needs.models import REFERENCE_ALPHABET, Need, reference_clean, reference_new
from needs.services import need_act, need_submit

pytestmark = pytest.mark.django_db


class Recording:
    """A notification gateway that keeps what it was asked to send."""

    sent: list = []

    def send(self, recipient, subject, text):
        Recording.sent.append((recipient, subject, text))


@pytest.fixture
def gateway(settings):
    settings.NEEDS_NOTIFY_GATEWAY = f"{__name__}.Recording"
    Recording.sent = []
    return Recording.sent


def main(response) -> str:
    """The page's own content, without the header's per-request parts (CSRF token, language switch)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S)[0]


def report(client, place, **fields):
    data = {"title": "楼道灯不亮", "description": "4号楼3单元楼道灯坏了，王阿姨摔了一跤", "place": place.code,
            "affected": 3, "is_public": "on", **fields}
    return client.post(reverse("needs:submit") + f"?place={place.code}", data)


def test_a_reference_is_8_symbols_that_cannot_be_mistaken_and_is_read_as_typed():
    references = {reference_new() for _ in range(2000)}
    assert len(references) == 2000 and all(len(r) == 8 and set(r) <= set(REFERENCE_ALPHABET) for r in references)
    assert not set("01OIL") & set(REFERENCE_ALPHABET)
    assert reference_clean(" 7kq2-m9xd ") == reference_clean("７ＫＱ２　Ｍ９ＸＤ") == "7KQ2M9XD"


def test_a_reference_already_on_record_is_drawn_again(monkeypatch, accounts, submitted):
    taken = submitted.reference
    draws = iter([taken, taken, "Z" * 8])  # the model's default draws first, then need_act again until free
    monkeypatch.setattr(Need._meta.get_field("reference"), "_get_default", lambda: next(draws))
    monkeypatch.setattr("needs.services.reference_new", lambda: next(draws))
    need = need_submit(actor=accounts["resident"], title="又一盏灯不亮", place=submitted.place)
    assert need.reference == "Z" * 8 and Need.objects.filter(reference=taken).count() == 1


def test_an_anonymous_qr_report_shows_its_reference_and_sends_it_to_the_phone_it_left(
        client, tree, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = report(client, tree["building"], from_qr="1", contact_name="王秀兰", contact_phone="139 3100 1234")
    need = Need.objects.get(title="楼道灯不亮")
    assert need.channel == "qr" and need.reporter is None and need.recorded_by is None
    assert (need.contact_name, need.contact_phone) == ("王秀兰", "13931001234")
    assert response.status_code == 302 and response.url == reverse("needs:track_detail", args=[need.reference])
    page = client.get(response.url).content.decode()
    assert need.reference in page and "查询码" in page
    [(recipient, _subject, text)] = [sent for sent in gateway if isinstance(sent[0], Contact)]
    assert recipient.phone == "13931001234" and need.reference in text and "王秀兰" not in text


def test_a_report_without_contact_sends_nothing_and_a_bad_phone_is_refused_in_chinese(
        client, tree, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(client, tree["building"])
    assert Need.objects.count() == 1 and not [sent for sent in gateway if isinstance(sent[0], Contact)]
    response = report(client, tree["building"], title="另一件事", contact_phone="12345")
    assert response.status_code == 200 and "不是电话号码" in response.content.decode()
    assert Need.objects.count() == 1


def test_the_contact_hears_of_the_steps_the_reporter_would(tree, accounts, category, gateway,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = need_submit(actor=None, title="垃圾没人清", place=tree["building"], contact_phone="13931001234")
        need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                 concern_level="annoyance")
    contact = [(r.phone, text) for r, _s, text in gateway if isinstance(r, Contact)]
    assert [phone for phone, _text in contact] == ["13931001234", "13931001234"]
    assert need.reference in contact[0][1] and "受理" in contact[1][1]


def test_the_status_page_shows_where_it_stands_and_no_personal_data(client, tree, accounts, category):
    need = need_submit(actor=accounts["resident"], title="4号楼3单元王阿姨家门口漏水", place=tree["entrance"],
                       description="联系 13900000008，502室", contact_name="王秀兰", contact_phone="13931001234")
    need = need_act(actor=accounts["community_staff"], need=need, action="reject",
                    note="已转物业：请王秀兰联系13931001234")
    client.logout()
    page = client.get(reverse("needs:track_detail", args=[need.reference])).content.decode()
    assert need.reference in page and "不予受理" in page and "已转物业" in page
    text = re.sub(r"<[^>]+>", " ", page)
    for personal in ("王秀兰", "13931001234", "13900000008", "resident用户", "502室", "4号楼3单元", "王阿姨",
                     "1号楼2单元", "天庆嘉园A区"):
        assert personal not in text, personal
    assert "天庆嘉园社区" in text and "天庆嘉园第一网格" in text


def test_a_wrong_reference_answers_the_same_as_a_missing_one(client, tree, submitted):
    answers = [client.get(reverse("needs:track_detail", args=[reference]))
               for reference in ("23456789", "nope", "X" * 60, submitted.reference[:7] + "0")]
    assert {a.status_code for a in answers} == {404}
    assert len({main(a) for a in answers}) == 1
    # Typed in any case, with a hyphen, it finds the need.
    typed = submitted.reference.lower()[:4] + "-" + submitted.reference.lower()[4:]
    response = client.get(reverse("needs:track"), {"reference": typed})
    assert response.status_code == 302 and client.get(response.url).status_code == 200


def test_looking_up_references_is_rate_limited(client, settings, submitted):
    settings.NEEDS_TRACK_BURST, settings.NEEDS_TRACK_PER_HOUR = 3, 0
    url = reverse("needs:track_detail", args=[submitted.reference])
    statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert "稍后" in client.get(url).content.decode()


def test_a_residents_form_starts_at_their_home_and_a_qr_link_at_its_place(client, accounts, tree):
    client.force_login(accounts["resident"])
    form = client.get(reverse("needs:submit")).context["form"]
    assert form.initial["place"] == tree["entrance"].code and "contact_phone" not in form.fields
    form = client.get(reverse("needs:submit"), {"place": tree["compound"].code}).context["form"]
    assert form.initial["place"] == tree["compound"].code
    client.logout()
    form = client.get(reverse("needs:submit"), {"place": tree["building"].code}).context["form"]
    assert form.initial["place"] == tree["building"].code and "contact_phone" in form.fields


def test_the_reporter_and_staff_see_the_reference_on_the_need_page(client, accounts, published):
    for user in (accounts["resident"], accounts["community_staff"]):
        client.force_login(user)
        assert published.reference in client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    client.logout()
    assert published.reference not in client.get(reverse("needs:detail", args=[published.pk])).content.decode()


def test_staff_see_the_contact_masked_on_the_need_page(client, accounts, tree):
    need = need_submit(actor=None, title="井盖丢了", place=tree["building"], contact_name="王秀兰",
                       contact_phone="13931001234")
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "王**" in page and "139****1234" in page and "13931001234" not in page


def test_the_api_gives_the_reference_to_the_reporter_and_staff_only(client, accounts, published):
    from people.services import api_token_issue

    def reference(user):
        token, _row = api_token_issue(user=user)
        return client.get(f"/api/v1/needs/{published.pk}", headers={"Authorization": f"Bearer {token}"}
                          ).json()["reference"]
    assert reference(accounts["resident"]) == reference(accounts["community_staff"]) == published.reference
    assert reference(accounts["unit_admin"]) is None and reference(accounts["other_community_staff"]) is None
