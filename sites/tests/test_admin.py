import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import Event
from core.tests.bombs import peak_growth_mb, png_bomb
from sites.models import Site
from sites.tests.test_pages import jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_it_creates_a_site_in_the_admin_through_the_service(client, root, tree):
    client.force_login(root)
    response = client.post(reverse("admin:sites_site_add"), {
        "kind": "station", "name": "五里铺东便民驿站", "place": tree["compound2"].pk, "opening_hours": "每天"})
    assert response.status_code == 302
    site = Site.objects.get(name="五里铺东便民驿站")
    assert Event.objects.filter(verb="site_create", subject_id=str(site.pk)).count() == 1


def test_the_admin_checks_a_photo_as_the_pages_do(client, root, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(root)
    fields = {"kind": "facility", "place": tree["compound2"].pk, "opening_hours": "每天"}
    bomb = SimpleUploadedFile("bomb.png", png_bomb(7000, 7000), "image/png")
    _rss, growth, response = peak_growth_mb(lambda: client.post(reverse("admin:sites_site_add"),
                                                                {**fields, "name": "大照片", "photo": bomb}))
    assert response.status_code == 200 and "图片过大：bomb.png" in response.content.decode() and growth < 50
    assert not Site.objects.filter(name="大照片").exists()
    response = client.post(reverse("admin:sites_site_add"), {**fields, "name": "长廊", "photo": SimpleUploadedFile(
        "corridor.jpg", jpeg_with_gps(), "image/jpeg")})
    site = Site.objects.get(name="长廊")
    with Image.open(site.photo.path) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_the_back_office_reads_items_movements_and_loans_without_the_borrower(client, root, accounts, umbrellas,
                                                                             plasters):
    from sites.services import loan_create, stock_give_out

    loan = loan_create(actor=root, item=umbrellas, borrower_name="李建国", borrower_phone="13800001111")
    movement = stock_give_out(actor=root, item=plasters, quantity=1, recipient="王大妈")
    client.force_login(root)
    for url in (reverse("admin:sites_loan_change", args=[loan.pk]), reverse("admin:sites_loan_changelist"),
                reverse("admin:sites_stockmovement_change", args=[movement.pk]),
                reverse("admin:sites_item_change", args=[plasters.pk])):
        body = client.get(url).content.decode()
        assert "李建国" not in body and "13800001111" not in body and "王大妈" not in body
    assert client.post(reverse("admin:sites_item_change", args=[plasters.pk]), {"stock": 99}).status_code == 403
    assert client.get(reverse("admin:sites_loan_add")).status_code == 403
