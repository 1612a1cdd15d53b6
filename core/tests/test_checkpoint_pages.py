"""The published checkpoints (/checkpoints/): the JSON is exactly checkpoint_public and valid against its documented
schema (docs/checkpoint.schema.json), a numbered one cached for a year and the latest for a minute, 404 in JSON
when there is none; the page for anyone names each chain's subdistrict and pages the earlier ones."""

import base64
import copy
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from jsonschema import Draft202012Validator, ValidationError

from core.checkpoints import checkpoint_check, checkpoint_make, checkpoint_public, key_id
from core.events import chains_origin
from core.models import Chain
from core.views import CHECKPOINTS_PAGE_SIZE

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "checkpoint.schema.json").read_text())
validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def signing(settings):
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings.CHECKPOINT_KEY = base64.b64encode(raw).decode()


@pytest.fixture
def subdistrict_chain(tree):
    """拱星墩街道's chain, as its first write would begin it (the fixture's writes are all in the city's)."""
    origin = chains_origin()
    return Chain.objects.create(name=tree["subdistrict"].code, origin=origin, head=origin)


def test_the_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_latest_and_a_numbered_checkpoint_validate_against_the_schema(client, signing, subdistrict_chain):
    checkpoint = checkpoint_make()
    for url in ("/checkpoints/latest.json", f"/checkpoints/{checkpoint.pk}.json"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        published = response.json()
        validator.validate(published)
        assert published == checkpoint_public(checkpoint)
        assert {c["name"] for c in published["chains"]} == {"legacy", "city", "620102010"}
        checkpoint_check(published, published["public_key"])  # a copy anyone keeps checks on its own
        assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/checkpoints/latest.json")["Cache-Control"] == "public, max-age=60"
    assert client.get(f"/checkpoints/{checkpoint.pk}.json")["Cache-Control"] == \
        "public, max-age=31536000, immutable"


@pytest.mark.parametrize("break_it", [
    lambda p: p.pop("signature"),
    lambda p: p.update(signature=p["signature"][:-2]),
    lambda p: p.update(root=p["root"].upper()),
    lambda p: p.update(at="2021-09-10 10:00:00"),
    lambda p: p.update(number="1"),
    lambda p: p.update(version=2),
    lambda p: p.update(actor="jiedao"),
    lambda p: p["chains"][0].update(length=-1),
    lambda p: p["chains"][0].update(name="天庆嘉园"),
    lambda p: p["chains"][0].pop("head"),
])
def test_a_broken_checkpoint_fails_the_schema(client, signing, tree, break_it):
    published = client.get(f"/checkpoints/{checkpoint_make().pk}.json").json()
    validator.validate(published)
    broken = copy.deepcopy(published)
    break_it(broken)
    with pytest.raises(ValidationError):
        validator.validate(broken)


def test_without_a_checkpoint_the_json_is_a_404_and_the_page_says_none_is_signed(client, db):
    for url in ("/checkpoints/latest.json", "/checkpoints/1.json", "/checkpoints/9223372036854775808.json"):
        response = client.get(url)
        assert response.status_code == 404 and "detail" in response.json()
        assert "max-age" not in response.get("Cache-Control", "")
    response = client.get("/checkpoints/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "还没有签署的检查点" in response.content.decode()


def test_the_page_shows_the_latest_with_each_chains_subdistrict_and_pages_the_earlier(client, signing,
                                                                                   subdistrict_chain):
    for _ in range(CHECKPOINTS_PAGE_SIZE + 1):
        latest = checkpoint_make(force=True)
    page = client.get("/checkpoints/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"最新检查点：第 {latest.pk} 号" in page
    assert latest.root in page and latest.public_key in page and key_id(latest.public_key) in page
    assert "拱星墩街道 <span class=\"muted\">620102010</span>" in page
    assert f'href="/checkpoints/{latest.pk}.json"' in page and 'href="/checkpoints/latest.json"' in page
    assert f'href="/checkpoints/{latest.pk - CHECKPOINTS_PAGE_SIZE + 1}.json"' in page
    assert f'href="/checkpoints/{latest.pk - CHECKPOINTS_PAGE_SIZE}.json"' not in page  # on page 2
    second = client.get("/checkpoints/?page=2").content.decode()
    assert f'href="/checkpoints/{latest.pk - CHECKPOINTS_PAGE_SIZE}.json"' in second
