"""A need's proof for a resident: the page and the JSON of a public need (404 for any other, whoever asks), linked
from its page and from its deed on the public ledger; the script downloaded from the site passes the downloaded
proof with the system's Python and fails on an altered one; nothing personal in either."""

import json
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from core.checkpoints import checkpoint_make
from core.tests.test_events import signing  # noqa: F401 (a fixture)
from needs.services import need_act, need_submit

pytestmark = pytest.mark.usefixtures("signing")


@pytest.fixture
def rated(claimed, accounts):
    unit = accounts["unit_admin"]
    need = need_act(actor=unit, need=claimed, action="start")
    need = need_act(actor=unit, need=need, action="resolve", note="咨询会已召开", evidence="居民签到表")
    return need_act(actor=accounts["resident"], need=need, action="rate", rating="very_satisfied", comment="谢谢")


def download(client, tmp_path, need) -> tuple:
    """The resident's two downloads, as files."""
    client.logout()
    proof, script = tmp_path / f"need-{need.pk}-proof.json", tmp_path / "check-proof.py"
    proof.write_bytes(client.get(reverse("needs:proof_json", args=[need.pk])).content)
    script.write_bytes(b"".join(client.get(reverse("needs:proof_script")).streaming_content))
    return proof, script


def check(script, proof, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["/usr/bin/python3", str(script), str(proof), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, timeout=60)


def test_the_residents_check_passes_on_a_deed_and_fails_on_an_altered_proof(client, rated, tmp_path):
    checkpoint = checkpoint_make()
    proof, script = download(client, tmp_path, rated)
    passed = check(script, proof, "--key", checkpoint.public_key)
    assert passed.returncode == 0, passed.stdout
    for verb in ("need.submit", "need.claim", "need.resolve", "need.rate"):
        assert verb in passed.stdout
    assert "核验通过" in passed.stdout
    data = json.loads(proof.read_text())
    claim = next(step for s in data["segments"] for step in s["steps"] if step.get("verb") == "need.claim")
    claim["at"] = claim["at"].replace(claim["at"][:4], "2020")  # claimed earlier than it was
    proof.write_text(json.dumps(data))
    failed = check(script, proof, "--key", checkpoint.public_key)
    assert failed.returncode == 1 and "核验失败" in failed.stdout


def test_the_page_says_what_it_proves_and_how_to_check_it_with_nothing_personal(client, rated, accounts):
    checkpoint = checkpoint_make()
    client.logout()
    page = client.get(reverse("needs:proof", args=[rated.pk])).content.decode()
    for label in ("认领", "办结", "评价", f"已由第 {checkpoint.pk} 号检查点签名", "python3 check-proof.py",
                  checkpoint.public_key, reverse("needs:proof_json", args=[rated.pk]), "怎样核验"):
        assert label in page
    body = json.dumps(client.get(reverse("needs:proof_json", args=[rated.pk])).json(), ensure_ascii=False)
    for personal in ("resident1", "dy_admin", "resident用户", "13900000008", "1号楼", "4号楼", "咨询会", "谢谢",
                     "兰州电影制片厂"):
        assert personal not in page and personal not in body
    assert '"actor' not in body and "data" not in body


def test_it_is_linked_from_the_public_need_page_and_the_deed_on_the_public_ledger(client, rated, tree):
    client.logout()
    proof = reverse("needs:proof", args=[rated.pk])
    assert proof in client.get(reverse("needs:detail", args=[rated.pk])).content.decode()
    ledger = client.get(reverse("ledger:public", args=[tree["tqjy"].code]), {"period": timezone.now().year})
    assert f'href="{proof}"' in ledger.content.decode()


def test_steps_newer_than_every_checkpoint_are_pending(client, claimed, accounts):
    checkpoint_make()
    need_act(actor=accounts["unit_admin"], need=claimed, action="start")
    client.logout()
    page = client.get(reverse("needs:proof", args=[claimed.pk])).content.decode()
    assert "等待下一个检查点" in page and "最新的步骤还没有签名" in page
    assert [e["verb"] for e in client.get(reverse("needs:proof_json", args=[claimed.pk])).json()["pending"]] == [
        "need.start"]


def test_a_need_the_public_may_not_see_has_no_proof_for_anyone(client, claimed, accounts, tree, category):
    claimed.is_public = False
    claimed.save(update_fields=["is_public"])
    waiting = need_submit(actor=accounts["resident"], title="楼道灯不亮", description="晚上看不见",
                          place=tree["building"], category=category)  # not published yet
    checkpoint_make()
    for user in (None, accounts["community_staff"]):  # the staff may open both needs' pages
        if user is not None:
            client.force_login(user)
        for need in (claimed, waiting):
            assert client.get(reverse("needs:proof", args=[need.pk])).status_code == 404
            assert client.get(reverse("needs:proof_json", args=[need.pk])).status_code == 404
    assert reverse("needs:proof", args=[claimed.pk]) not in client.get(
        reverse("needs:detail", args=[claimed.pk])).content.decode()
