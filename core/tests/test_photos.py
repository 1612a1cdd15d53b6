import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.photos import photo_prepare
from core.tests.bombs import peak_growth_mb, png_bomb


def test_it_refuses_49_megapixels_by_the_header_without_decoding_them():
    upload = SimpleUploadedFile("bomb.png", png_bomb(7000, 7000), "image/png")
    assert upload.size < 300_000  # a small file …
    before, growth, outcome = peak_growth_mb(lambda: photo_prepare(upload))
    assert isinstance(outcome, ValidationError) and outcome.code == "photo_pixels"
    assert outcome.messages[0].startswith("图片过大：bomb.png 超过 40,000,000 像素"), outcome.messages
    assert growth < 30, f"RSS {before:.0f} MB grew by {growth:.0f} MB"  # … that decoded would take 196 MB


def test_it_refuses_an_image_beyond_pillows_own_limit_with_the_same_message():
    upload = SimpleUploadedFile("huge.png", png_bomb(20000, 10000), "image/png")  # 200 million pixels
    _before, growth, outcome = peak_growth_mb(lambda: photo_prepare(upload))
    assert isinstance(outcome, ValidationError) and outcome.code == "photo_pixels"
    assert growth < 30


def test_it_accepts_an_image_of_as_many_pixels_as_the_limit(monkeypatch):
    monkeypatch.setattr("core.photos.MAX_PIXELS", 12_000_000)
    image, thumb = photo_prepare(SimpleUploadedFile("wide.png", png_bomb(4000, 3000), "image/png"))
    assert image[:2] == thumb[:2] == b"\xff\xd8"  # re-encoded as JPEG
    with pytest.raises(ValidationError, match="超过 12,000,000 像素"):
        photo_prepare(SimpleUploadedFile("wider.png", png_bomb(4001, 3000), "image/png"))
