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
