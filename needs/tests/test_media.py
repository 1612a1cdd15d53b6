"""Photos are served by a view that checks who may see them: a private need's only to those who may open the
need; streamed by Django, or handed to nginx with X-Accel-Redirect (settings.MEDIA_ACCEL_REDIRECT)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from needs.services import need_act, need_submit

pytestmark = pytest.mark.django_db


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "green").save(out, format="JPEG")
    return SimpleUploadedFile("IMG_20210607_王阿姨家.jpg", out.getvalue(), "image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_ACCEL_REDIRECT = ""
    return tmp_path


@pytest.fixture
def private_need(accounts, tree):
    return need_submit(actor=accounts["resident"], title="楼上漏水", place=tree["entrance"], is_public=False,
                       photos=[jpeg()])


def get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_a_private_needs_photo_is_served_to_staff_of_the_area_and_the_reporter_only(client, accounts,
                                                                                   private_need):
    photo = private_need.photos.get()
    for user in (accounts["community_staff"], accounts["grid_worker"], accounts["resident"]):
        response = get(client, user, photo.image.url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
        assert "private" in response["Cache-Control"]
    for user in (None, accounts["other_community_staff"], accounts["unit_admin"], accounts["party_member"]):
        assert get(client, user, photo.image.url).status_code == 404
        assert get(client, user, photo.thumbnail.url).status_code == 404


def test_a_public_needs_photo_is_seen_by_anyone_once_it_is_on_the_board_only(client, accounts, tree, category):
    need = need_submit(actor=accounts["resident"], title="路灯坏了", place=tree["building"], photos=[jpeg()])
    url = need.photos.get().thumbnail.url
    assert get(client, None, url).status_code == 404  # not vetted yet
    staff = accounts["community_staff"]
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance")
    need_act(actor=staff, need=need, action="publish")
    response = get(client, None, url)
    assert response.status_code == 200 and max(Image.open(io.BytesIO(b"".join(response.streaming_content))).size) == 320


def test_a_photo_address_is_unguessable_and_the_uploaders_file_name_is_gone(client, accounts, private_need):
    photo = private_need.photos.get()
    assert len(photo.token) == 32 and photo.token in photo.image.url and "王阿姨" not in photo.image.url
    other = "0" * 32 if photo.token != "0" * 32 else "1" * 32
    staff = accounts["community_staff"]
    assert get(client, staff, photo.image.url.replace(photo.token, other)).status_code == 404
    # The token belongs to one need: another need's number with it finds nothing.
    assert get(client, staff, photo.image.url.replace(f"/{private_need.pk}/", f"/{private_need.pk + 1}/")
               ).status_code == 404


def test_behind_nginx_the_view_answers_with_x_accel_redirect_after_the_same_check(client, accounts, private_need,
                                                                                 settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    photo = private_need.photos.get()
    response = get(client, accounts["community_staff"], photo.image.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response["Content-Type"] == "image/jpeg"
    refused = get(client, accounts["other_community_staff"], photo.image.url)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_site_photos_are_public_and_nothing_else_in_media_is_served(client, media):
    (media / "sites").mkdir()
    (media / "sites" / "station.jpg").write_bytes(b"\xff\xd8 a station")
    (media / "secret.txt").write_text("not for the web")
    response = get(client, None, "/media/sites/station.jpg")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert get(client, None, "/media/secret.txt").status_code == 404
    assert get(client, None, "/media/sites/missing.jpg").status_code == 404
    assert get(client, None, "/media/sites/../secret.txt").status_code in (400, 404)
