"""A proof for a resident: a record's events shown (without who or the details), every later leaf of its chain to
the first checkpoint that covers them, the Merkle path and the signed checkpoint; the standard-library checker
(core/proof_check.py, bin/check-proof) passes it, and fails on any change to the proof or to the events behind it."""

import copy
import datetime
import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from core.checkpoints import checkpoint_make
from core.events import CITY_CHAIN
from core.models import Chain, Event
from core.proof_check import ProofFailed, ed25519_verify, proof_check
from core.proofs import subject_proof
from core.tests.test_events import signing  # noqa: F401 (a fixture)
from places.services import place_update

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "check-proof"
SYSTEM_PYTHON = "/usr/bin/python3"  # not the project's virtualenv: the checker needs the standard library only

pytestmark = pytest.mark.usefixtures("signing")


def test_the_signature_check_agrees_with_cryptography_on_random_keys_and_messages():
    for n in range(40):
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        message = os.urandom(n * 7)
        signature = key.sign(message)
        assert ed25519_verify(public, message, signature)
        flipped = bytearray(signature)
        flipped[n % 64] ^= 1 << (n % 8)
        assert not ed25519_verify(public, message, bytes(flipped))
        assert not ed25519_verify(public, message + b"x", signature)
        other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        assert not ed25519_verify(other, message, signature)
    assert not ed25519_verify(public, message, signature[:63])


@pytest.fixture
def renamed(tree, root):
    """天庆嘉园社区 renamed twice, the 1号楼 between (another record's event, shown as a leaf only)."""
    place_update(actor=root, place=tree["tqjy"], name="天庆嘉园社区（一）")
    place_update(actor=root, place=tree["building"], name="一号楼")
    place_update(actor=root, place=tree["tqjy"], name="天庆嘉园社区")
    return tree["tqjy"]


def proof_of(place) -> dict:
    return subject_proof("places.place", place.pk)


def run(proof: dict, tmp_path, *args) -> subprocess.CompletedProcess:
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([SYSTEM_PYTHON, str(SCRIPT), str(path), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, timeout=60)


def test_a_record_under_a_checkpoint_passes_the_standard_library_check(renamed, tmp_path):
    checkpoint = checkpoint_make()
    proof = proof_of(renamed)
    (segment,) = proof["segments"]
    shown = [step for step in segment["steps"] if "verb" in step]
    assert [step["verb"] for step in shown] == ["place_create", "place_update", "place_update"]
    assert segment["signed_chain"] == Chain.objects.filter(name=CITY_CHAIN).values("name", "origin", "length",
                                                                                   "head").get()
    assert segment["checkpoint"]["number"] == checkpoint.pk and "chains" not in segment["checkpoint"]
    assert len(segment["steps"]) == segment["signed_chain"]["length"] - segment["from_seq"] + 1
    result = run(proof, tmp_path, "--key", checkpoint.public_key)
    assert result.returncode == 0, result.stdout
    assert "核验通过" in result.stdout and "Check passed" in result.stdout
    assert "place_update" in result.stdout and f"第 {checkpoint.pk} 号检查点" in result.stdout
    assert "没有给出公钥" not in result.stdout
    unkeyed = run(proof, tmp_path)
    assert unkeyed.returncode == 0 and "没有给出公钥" in unkeyed.stdout


def test_the_proof_shows_no_actor_and_no_data(renamed, root):
    checkpoint_make()
    body = json.dumps(proof_of(renamed), ensure_ascii=False)
    assert "天庆嘉园" not in body and "一号楼" not in body and '"actor' not in body and '"data"' not in body


def changed(proof: dict, change) -> dict:
    proof = copy.deepcopy(proof)
    change(proof)
    return proof


def _shown(proof):
    return [step for step in proof["segments"][0]["steps"] if "verb" in step]


def _later_leaf(proof):
    return next(step for step in proof["segments"][0]["steps"] if "leaf" in step)


ALTERATIONS = {
    "an event's time": lambda p: _shown(p)[1].update(at="2021-06-01T08:00:00+00:00"),
    "a verb": lambda p: _shown(p)[2].update(verb="place_create"),
    "a later leaf": lambda p: _later_leaf(p).update(leaf="0" * 64),
    "the hash before": lambda p: p["segments"][0].update(prev_hash="1" * 64),
    "an event dropped": lambda p: p["segments"][0]["steps"].pop(),
    "the signed head": lambda p: p["segments"][0]["signed_chain"].update(head="2" * 64),
    "the root": lambda p: p["segments"][0]["checkpoint"].update(root="3" * 64),
    "the signature": lambda p: p["segments"][0]["checkpoint"].update(  # its last bit flipped
        signature=p["segments"][0]["checkpoint"]["signature"][:-1] + "%x" % (
            int(p["segments"][0]["checkpoint"]["signature"][-1], 16) ^ 1)),
    "the checkpoint's time": lambda p: p["segments"][0]["checkpoint"].update(at="2020-01-01T00:00:00+00:00"),
    "the record": lambda p: p["subject"].update(id=str(int(p["subject"]["id"]) + 1)),
}


@pytest.mark.parametrize("what", ALTERATIONS)
def test_an_altered_proof_fails_naming_the_step(renamed, tmp_path, what):
    checkpoint_make()
    result = run(changed(proof_of(renamed), ALTERATIONS[what]), tmp_path)
    assert result.returncode == 1, result.stdout
    assert "核验失败" in result.stdout and "check failed" in result.stdout and "核验通过" not in result.stdout


def test_a_proof_checked_with_another_key_fails(renamed, tmp_path):
    checkpoint_make()
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    result = run(proof_of(renamed), tmp_path, "--key", other)
    assert result.returncode == 1 and "不是用您给的公钥签的" in result.stdout


def test_an_event_changed_in_the_database_after_the_checkpoint_no_longer_reaches_the_signed_head(renamed):
    checkpoint_make()
    event = Event.objects.filter(subject_type="places.place", subject_id=str(renamed.pk)).order_by("seq").last()
    Event.objects.filter(pk=event.pk).update(verb="place_create")
    with pytest.raises(ProofFailed, match="与检查点签的"):
        proof_check(proof_of(renamed))
    # and so does another record's event within the stretch: its leaf is recomputed from its row
    Event.objects.filter(pk=event.pk).update(verb=event.verb)
    other = Event.objects.filter(chain=event.chain, seq__lt=event.seq).exclude(
        subject_id=str(renamed.pk)).order_by("-seq").first()  # the 1号楼's rename
    Event.objects.filter(pk=other.pk).update(data={**other.data, "name": "改过"})
    with pytest.raises(ProofFailed, match="与检查点签的"):
        proof_check(proof_of(renamed))


def test_each_event_is_proved_by_the_first_checkpoint_that_covers_it(tree, root):
    place_update(actor=root, place=tree["tqjy"], name="天庆嘉园社区（一）")
    first = checkpoint_make()
    for n in range(5):
        place_update(actor=root, place=tree["building"], name=f"{n}号楼")
    place_update(actor=root, place=tree["tqjy"], name="天庆嘉园社区")
    second = checkpoint_make()
    place_update(actor=root, place=tree["building"], name="1号楼")
    checkpoint_make()
    proof = proof_of(tree["tqjy"])
    assert [s["checkpoint"]["number"] for s in proof["segments"]] == [first.pk, second.pk]
    later = proof["segments"][1]
    assert later["steps"][0]["verb"] == "place_update" and len(later["steps"]) == 1  # the last in its checkpoint
    assert proof_check(proof)[1] is False


def test_events_newer_than_every_checkpoint_are_pending(renamed, root, tmp_path, settings):
    checkpoint_make()
    place_update(actor=root, place=renamed, name="天庆嘉园")
    settings.CHECKPOINT_EVERY_MINUTES = 60
    proof = proof_of(renamed)
    assert [e["verb"] for e in proof["pending"]] == ["place_update"]
    next_at = datetime.datetime.fromisoformat(proof["next_checkpoint_at"])  # the next whole hour
    assert (next_at.minute, next_at.second) == (0, 0) and 0 < (next_at - timezone.now()).total_seconds() <= 3600
    result = run(proof, tmp_path)
    assert result.returncode == 2 and "待下一个检查点" in result.stdout and "核验通过" not in result.stdout


def test_the_command_runs_the_same_check(renamed, tmp_path):
    checkpoint = checkpoint_make()
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof_of(renamed)))
    call_command("check_proof", path, key=checkpoint.public_key)
    path.write_text(json.dumps(changed(proof_of(renamed), ALTERATIONS["a verb"])))
    with pytest.raises(CommandError, match="核验失败"):
        call_command("check_proof", path)
