from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.tests.bombs import peak_growth_mb, png_bomb
from sites.models import Site
from sites.services import site_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def station(root, tree, unit):
    return site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"],
                       operator=unit["organisation"], opening_hours="周一至周五 9:00–17:00")


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {2: (36.0, 3.0, 0.0)}  # GPSInfo: latitude
    out = BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_it_lists_sites_to_the_public_with_a_kind_filter_and_search(client, station, root, tree):
    site_create(actor=root, kind="facility", name="五里铺东充电桩", place=tree["compound2"])
    body = client.get(reverse("sites:list")).content.decode()
    assert "天庆嘉园便民驿站" in body and "五里铺东充电桩" in body
    body = client.get(reverse("sites:list"), {"kind": "facility"}).content.decode()
    assert "天庆嘉园便民驿站" not in body and "五里铺东充电桩" in body
    body = client.get(reverse("sites:list"), {"q": "tqjy"}).content.decode()
    assert "天庆嘉园便民驿站" in body and "五里铺东充电桩" not in body


def test_it_shows_a_site_to_the_public(client, station):
    body = client.get(reverse("sites:detail", args=[station.pk])).content.decode()
    assert "周一至周五 9:00–17:00" in body and "兰州电影制片厂" in body and "天庆嘉园A区" in body


def test_it_registers_a_site_with_a_photo_stripped_of_its_location(client, accounts, tree, media):
    client.force_login(accounts["community_staff"])
    response = client.post(reverse("sites:site_create"), {
        "kind": "micro_position", "name": "红色文化长廊", "place": tree["compound"].code,
        "photo": SimpleUploadedFile("corridor.jpg", jpeg_with_gps(), content_type="image/jpeg")})
    site = Site.objects.get(name="红色文化长廊")
    assert response.status_code == 302
    with Image.open(site.photo.path) as image:
        assert not image.getexif()


def test_it_refuses_a_file_that_is_not_an_image(client, accounts, tree, media):
    client.force_login(accounts["community_staff"])
    response = client.post(reverse("sites:site_create"), {
        "kind": "facility", "name": "假照片", "place": tree["compound"].code,
        "photo": SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")})
    assert response.status_code == 200 and "id_photo_error" in response.content.decode()
    assert not Site.objects.filter(name="假照片").exists()


def test_it_refuses_a_photo_of_too_many_pixels_before_decoding_it(client, accounts, tree, media):
    client.force_login(accounts["community_staff"])
    bomb = SimpleUploadedFile("bomb.png", png_bomb(7000, 7000), content_type="image/png")
    _rss, growth, response = peak_growth_mb(lambda: client.post(reverse("sites:site_create"), {
        "kind": "facility", "name": "大照片", "place": tree["compound"].code, "photo": bomb}))
    assert growth < 50, f"grew by {growth:.0f} MB"
    page = response.content.decode()
    assert response.status_code == 200 and "图片过大：bomb.png 超过 40,000,000 像素" in page
    assert 'value="大照片"' in page  # the rest of the form kept
    assert not Site.objects.filter(name="大照片").exists()


def test_it_lets_only_staff_of_the_area_edit_a_site(client, accounts, station):
    url = reverse("sites:site_update", args=[station.pk])
    client.force_login(accounts["other_community_staff"])
    assert client.get(url).status_code == 403
    client.force_login(accounts["community_staff"])
    client.post(url, {"kind": "station", "name": "天庆嘉园便民驿站", "place": station.place.code,
                      "opening_hours": "每天 8:00–20:00"})
    station.refresh_from_db()
    assert station.opening_hours == "每天 8:00–20:00"


def test_it_keeps_the_list_query_count_constant(client, root, tree, unit, django_assert_max_num_queries):
    site_create(actor=root, kind="station", name="驿站0", place=tree["compound"], operator=unit["organisation"])
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("sites:list"))
    for i in range(1, 30):
        site_create(actor=root, kind="station", name=f"驿站{i}", place=tree["compound"],
                    operator=unit["organisation"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sites:list"))
