"""The demo's evidence photos, drawn here with Pillow — nothing is fetched: each resolved need gets a picture
of its acceptance sheet (办结验收单) lying on a desk, with the need's title, the evidence, the date and the
community's red stamp, so that a new user sees photos on the need pages. What the sheet says is public text
(people.public): a public need's photo is seen by everyone, so it names no entrance, room or person. The
words need a Chinese font (`fc-list :lang=zh-cn`, e.g. fonts-wqy-microhei or fonts-noto-cjk); without one the
sheet is drawn blank.

The photo goes through the same checks as an upload (core.photos): it is a JPEG without EXIF."""

import functools
import io
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from people.public import public_text

WIDTH, HEIGHT = 1000, 750
DESK, PAPER, INK, RED, LINE = (139, 115, 85), (250, 248, 240), (40, 40, 40), (200, 22, 29), (200, 200, 200)


@functools.cache
def _font_path() -> str | None:
    try:
        found = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    paths = sorted(line.split(":")[0].strip() for line in found.stdout.splitlines() if line.strip())
    return paths[0] if paths else None


@functools.cache
def _font(size: int):
    path = _font_path()
    return ImageFont.truetype(path, size) if path else None


def _lines(draw, text: str, font, width: int) -> list[str]:
    """The text broken into lines of at most `width` pixels (Chinese breaks between any two characters)."""
    lines, line = [], ""
    for ch in text:
        if draw.textlength(line + ch, font=font) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def _sheet(title: str, evidence: str, at) -> Image.Image:
    sheet = Image.new("RGB", (760, 600), PAPER)
    draw = ImageDraw.Draw(sheet)
    draw.rectangle((0, 0, 759, 599), outline=LINE, width=3)
    draw.rectangle((0, 0, 759, 70), fill=RED)
    heading, body, small = _font(40), _font(30), _font(24)
    y = 100
    if heading is not None:
        draw.text((30, 12), "办结验收单", font=heading, fill=PAPER)
        for line in _lines(draw, title, body, 700)[:2]:
            draw.text((30, y), line, font=body, fill=INK)
            y += 44
        y += 16
        for line in _lines(draw, "佐证：" + evidence, small, 700)[:6]:
            draw.text((30, y), line, font=small, fill=INK)
            y += 36
        draw.text((30, 540), timezone.localtime(at).strftime("%Y年%m月%d日"), font=small, fill=INK)
        draw.text((330, 540), "居民签字：", font=small, fill=INK)
    for row in range(y + 20, 520, 40):  # the sheet's ruled lines
        draw.line((30, row, 730, row), fill=LINE, width=2)
    draw.line((450, 570, 560, 548), fill=INK, width=4)  # a signature
    draw.line((560, 548, 600, 570), fill=INK, width=4)
    draw.ellipse((560, 400, 720, 560), outline=RED, width=6)  # the community's stamp
    if small is not None:
        draw.text((588, 462), "已办结", font=_font(34), fill=RED)
    return sheet


def evidence_photo(*, title: str, evidence: str, at) -> SimpleUploadedFile:
    """A photographed acceptance sheet for a need resolved at `at`, as an upload of a phone's camera."""
    photo = Image.new("RGB", (WIDTH, HEIGHT), DESK)
    sheet = _sheet(public_text(title), public_text(evidence), at)
    sheet = sheet.rotate(3, expand=True, fillcolor=DESK, resample=Image.BICUBIC)
    photo.paste(sheet, ((WIDTH - sheet.width) // 2, (HEIGHT - sheet.height) // 2))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("evidence.jpg", out.getvalue(), "image/jpeg")
