"""The ledger's PDF (at its end) and Excel (on its summary) name the latest signed checkpoint of the event log when
they were made and where to fetch it; before any is signed, they say so."""

import base64
import io

import openpyxl
import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.urls import reverse
from django.utils import timezone

from core import fonts
from core.checkpoints import checkpoint_make, key_id

SITE = "https://minsheng.example.cn"


@pytest.fixture
def checkpoint(settings, tree):
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings.CHECKPOINT_KEY = base64.b64encode(raw).decode()
    settings.POSTERS_BASE_URL = SITE
    checkpoint_make(force=True)  # an earlier one: the footer names the latest
    return checkpoint_make(force=True)


def expected_note(checkpoint) -> str:
    at = timezone.localtime(checkpoint.at).strftime("%Y-%m-%d %H:%M")
    return (f"本账单数据截至第 {checkpoint.pk} 号检查点（{at}，根 {checkpoint.root[:8]}…，密钥 "
            f"{key_id(checkpoint.public_key)}），核验：{SITE}/checkpoints/{checkpoint.pk}.json")


def summary_note(client, code) -> str:
    """The summary sheet's third row: 检查点 and the note, under the place and the period."""
    response = client.get(reverse("ledger:xlsx", args=[code]), {"period": "2021-Q3"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    label, note = list(book.worksheets[0].iter_rows(values_only=True))[2][:2]
    assert label == "检查点"
    return note


def pdf_text(client, code) -> str:
    if fonts.cjk_font() is None:
        pytest.skip("no Chinese font installed")
    response = client.get(reverse("ledger:pdf", args=[code]), {"period": "2021-Q3"})
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def test_the_workbook_names_the_latest_checkpoint_on_its_summary(client, checkpoint, tree):
    assert summary_note(client, tree["tqjy"].code) == expected_note(checkpoint)


def test_the_pdf_names_the_latest_checkpoint_at_its_end(client, checkpoint, tree):
    assert expected_note(checkpoint).replace(" ", "") in pdf_text(client, tree["tqjy"].code)


def test_before_any_checkpoint_both_say_none_is_signed_yet(client, tree):
    assert summary_note(client, tree["tqjy"].code) == "记录尚未签署检查点：http://testserver/checkpoints/"
    assert "记录尚未签署检查点：http://testserver/checkpoints/" in pdf_text(client, tree["tqjy"].code)
