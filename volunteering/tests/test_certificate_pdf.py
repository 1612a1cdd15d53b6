"""The certificate's PDF (volunteering.certificates): its words extractable (the name, the volunteer number, the
hours, the certificate's number, the issuer and its person in charge), the ID-card number only when asked for,
the Chinese font embedded, and the QR code read back equal to the verification page's address."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people.services import organisation_create
from places.tests.qr import embedded_fonts, expected, page_modules, pdf_pages
from volunteering import services
from volunteering.certificates import certificate_pdf
from volunteering.models import Signup

pytestmark = pytest.mark.django_db
VERIFY = "https://minsheng.example.cn/volunteering/verify/{}/"


@pytest.fixture
def certificate_of(leader, team, tree, root, now):
    """Issue a certificate of 2 certified hours (last week's clean-up) for a volunteer."""
    office = organisation_create(actor=root, kind="community_office", name="天庆嘉园社区居民委员会", place=tree["tqjy"],
                                 contact_phone="0931-8123456")
    start = now - datetime.timedelta(days=7)
    past = services.activity_create(actor=leader, kind="clean_up", name="天庆嘉园周六环境清洁", place=tree["tqjy"],
                                    starts_at=start, ends_at=start + datetime.timedelta(hours=2), team=team,
                                    at=start - datetime.timedelta(days=2))

    def issue(volunteer, **extra):
        user = volunteer.person.user
        services.signup_create(actor=user, activity=past, at=start - datetime.timedelta(days=1))
        services.checkin(actor=user, activity=past, code=past.checkin_code, at=start)
        services.checkout(actor=user, signup=Signup.objects.get(activity=past, volunteer=volunteer),
                          at=start + datetime.timedelta(hours=2))
        services.hours_propose(activity=past)
        services.hours_certify(actor=leader, entries_or_activity=past)
        return services.certificate_issue(actor=user, volunteer=volunteer, first_day=start.date(),
                                          last_day=timezone.localdate(), issuer=office, person_in_charge="李主任",
                                          contact="0931-8123456", **extra)
    return issue


def test_the_pdf_states_the_certificate_in_extractable_words(certificate_of, volunteer):
    certificate = certificate_of(volunteer)
    url = VERIFY.format(certificate.number)
    pages = pdf_pages(certificate_pdf(certificate, verify_url=url))
    assert len(pages) == 1
    text = "".join(pages[0].extract_text().split())  # a PDF's text has spaces between glyphs
    for words in ("志愿服务记录证明", "resident用户", volunteer.number, "2.00", certificate.number,
                  "天庆嘉园社区居民委员会", "李主任", "0931-8123456", "天庆嘉园周六环境清洁"):
        assert words in text, words
    assert "身份证" not in text
    assert embedded_fonts(pages[0]), "the Chinese font is embedded"


def test_the_qr_code_opens_the_verification_page(certificate_of, volunteer):
    certificate = certificate_of(volunteer)
    url = VERIFY.format(certificate.number)
    page = pdf_pages(certificate_pdf(certificate, verify_url=url))[0]
    assert page_modules(page) == expected(url)
    assert url in "".join(page.extract_text().split())


def test_the_id_card_number_only_when_asked(certificate_of, volunteer):
    services.volunteer_update(actor=volunteer.person.user, volunteer=volunteer, id_card_number="620102198001011239")
    certificate = certificate_of(volunteer, with_id_card=True)
    text = "".join(pdf_pages(certificate_pdf(certificate, verify_url="http://x/"))[0].extract_text().split())
    assert "620102198001011239" in text


def test_the_download_points_its_code_at_this_site(client, certificate_of, volunteer, settings):
    settings.POSTERS_BASE_URL = "https://minsheng.example.cn"
    certificate = certificate_of(volunteer)
    client.force_login(volunteer.person.user)
    response = client.get(reverse("volunteering:certificate", args=[certificate.pk]))
    url = "https://minsheng.example.cn" + reverse("volunteering:verify", args=[certificate.number])
    assert page_modules(pdf_pages(response.content)[0]) == expected(url)
    opened = client.get(url.removeprefix("https://minsheng.example.cn"))
    assert opened.status_code == 200 and certificate.number in opened.content.decode()
