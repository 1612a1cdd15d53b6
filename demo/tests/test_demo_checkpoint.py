"""The demo signs a checkpoint of its event log with no setup: without a configured key it makes its own key file
(here in the fixture's folder, never var/), says so, and a second run signs nothing new."""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from core.checkpoints import checkpoint_check, checkpoint_public, key_id
from core.models import Chain, Checkpoint


def test_the_demo_makes_a_key_for_itself_and_signs_its_chains(demo_db, db, client):
    path = Path(settings.CHECKPOINT_KEY_FILE)
    assert path.is_file() and path.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert Path(settings.VAR_DIR) not in path.parents, "the tests keep the demo's key out of var/"
    checkpoint = Checkpoint.objects.get()
    assert f"演示用签名密钥已生成：{path}（密钥编号 {key_id(checkpoint.public_key)}）" in demo_db
    assert f"第 {checkpoint.pk} 号检查点已签署" in demo_db and "/checkpoints/" in demo_db
    assert checkpoint.chains == [{"name": name, "origin": origin, "length": length, "head": head}
                                 for name, origin, length, head in Chain.objects.values_list(
                                     "name", "origin", "length", "head")]
    assert {c["name"] for c in checkpoint.chains} >= {"city", "legacy"}
    published = checkpoint_public(checkpoint)
    checkpoint_check(published, published["public_key"])
    assert client.get("/checkpoints/latest.json").json() == published
    assert checkpoint.root in client.get("/checkpoints/").content.decode()

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert Checkpoint.objects.count() == 1 and "演示用签名密钥" not in out.getvalue()
    assert f"第 {checkpoint.pk} 号检查点已签署" in out.getvalue()
