import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import Event
from core.photos import photo_prepare
from core.tests.bombs import peak_growth_mb, png_bomb
from needs.models import Need, Photo, ProgressNote
from needs.services import need_act, need_submit


def jpeg_with_gps():
    image = Image.new("RGB", (800, 600), "blue")
    exif = Image.Exif()
    exif[0x8825] = {2: (36.0, 3.0, 0.0), 4: (103.0, 53.0, 0.0)}  # GPSInfo: latitude, longitude
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_it_strips_exif_and_makes_a_thumbnail():
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()  # the input really carries EXIF
    image, thumb = photo_prepare(SimpleUploadedFile("p.jpg", raw, "image/jpeg"))
    assert not Image.open(io.BytesIO(image)).getexif()
    assert max(Image.open(io.BytesIO(thumb)).size) == 320


def test_it_refuses_a_pdf_renamed_jpg():
    with pytest.raises(ValidationError, match="不是照片"):
        photo_prepare(SimpleUploadedFile("scan.jpg", b"%PDF-1.7\n1 0 obj\n", "image/jpeg"))


def test_it_refuses_a_20_mb_photo_before_decoding_it():
    with pytest.raises(ValidationError, match="20.0 MB"):
        photo_prepare(SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024), "image/jpeg"))


def test_it_writes_nothing_when_one_photo_of_a_progress_note_is_bad(claimed, accounts):
    before = (Event.objects.count(), ProgressNote.objects.count(), Photo.objects.count())
    good = SimpleUploadedFile("ok.jpg", jpeg_with_gps(), "image/jpeg")
    bad = SimpleUploadedFile("bad.jpg", b"not an image", "image/jpeg")
    with pytest.raises(ValidationError) as error:
        need_act(actor=accounts["unit_admin"], need=claimed, action="progress", note="进展", photos=[good, bad])
    assert "photos" in error.value.message_dict
    assert (Event.objects.count(), ProgressNote.objects.count(), Photo.objects.count()) == before


def test_it_keeps_photos_of_a_progress_note(claimed, accounts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    need = need_act(actor=accounts["unit_admin"], need=claimed, action="progress", note="现场",
                    photos=[SimpleUploadedFile("ok.jpg", jpeg_with_gps(), "image/jpeg")])
    photo = need.photos.get()
    assert photo.note.text == "现场" and photo.image.name.endswith(".jpg") and "ok" not in photo.image.name


def test_it_refuses_a_49_megapixel_bomb_on_submit_and_writes_nothing(tree):
    bomb = SimpleUploadedFile("bomb.png", png_bomb(7000, 7000), "image/png")
    before = (Event.objects.count(), Need.objects.count())
    _rss, growth, outcome = peak_growth_mb(lambda: need_submit(actor=None, title="井盖丢了", place=tree["building"],
                                                               photos=[bomb]))
    assert isinstance(outcome, ValidationError), outcome
    assert outcome.message_dict["photos"][0].startswith("图片过大：bomb.png")
    assert growth < 30, f"grew by {growth:.0f} MB"
    assert (Event.objects.count(), Need.objects.count()) == before


def test_the_anonymous_form_refuses_a_bomb_and_keeps_the_rest(client, tree):
    bomb = SimpleUploadedFile("bomb.png", png_bomb(7000, 7000), "image/png")
    fields = {"title": "路灯不亮", "description": "晚上很黑", "place": tree["building"].code, "affected": 12,
              "contact_name": "王秀兰", "contact_phone": "13931001234", "is_public": "on"}
    _rss, growth, response = peak_growth_mb(lambda: client.post(reverse("needs:submit"), {**fields, "photos": [bomb]}))
    assert growth < 50, f"grew by {growth:.0f} MB"
    page = response.content.decode()
    assert response.status_code == 200 and "图片过大：bomb.png 超过 40,000,000 像素" in page
    form = response.context["form"]
    assert list(form.errors) == ["photos"]
    assert all(f'value="{value}"' in page for value in ("路灯不亮", "12", "王秀兰", "13931001234"))
    assert "晚上很黑" in page
    assert not Need.objects.filter(title="路灯不亮").exists()
