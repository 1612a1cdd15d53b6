"""Signed checkpoints of the event chains: each chain's origin, length and head, rolled into one Merkle root and
signed with the subdistrict's Ed25519 key, published at /checkpoints/ (docs/verifiable-history.md) so that anyone
can keep copies. A copy kept outside the database is what makes a rewrite or a truncation of the log visible
(`manage.py verify_events`): the database can be changed by whoever holds it, the copies and the key cannot.

The key: CHECKPOINT_KEY (base64 of the 32-byte private key) or the PEM file CHECKPOINT_KEY_FILE, made once by
`manage.py checkpoint_key`. Hashes: a chain's leaf is SHA-256 of 0x00 and its canonical JSON [name, origin,
length, head]; a node SHA-256 of 0x01 and its two children; an odd last node goes up unchanged. The signature is
over the text `minsheng-checkpoint:1:<number>:<at>:<root>`.
"""

import base64
import dataclasses
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction

from core.events import event_time
from core.models import Chain, Checkpoint

VERSION = 1


class KeyMissing(Exception):
    """No signing key is configured: checkpoints cannot be made (the message says how to make one)."""


# --- The key ---------------------------------------------------------------------------------------------------

def signing_key() -> Ed25519PrivateKey:
    if settings.CHECKPOINT_KEY:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(settings.CHECKPOINT_KEY))
    path = Path(settings.CHECKPOINT_KEY_FILE)
    if not path.exists():
        raise KeyMissing(f"没有检查点签名密钥：请运行 manage.py checkpoint_key 生成 {path}，并另存一份。"
                         f"No checkpoint signing key: run `manage.py checkpoint_key` to make {path}, and keep a copy.")
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def signing_key_create(path: Path) -> Ed25519PublicKey:
    """Write a new private key to `path` (readable by its owner only); refuse to replace one."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(pem)
    return key.public_key()


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def key_id(public_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


# --- The Merkle tree over the chains ---------------------------------------------------------------------------

def chain_leaf(chain: dict) -> str:
    body = json.dumps([chain["name"], chain["origin"], chain["length"], chain["head"]], separators=(",", ":"))
    return hashlib.sha256(b"\x00" + body.encode()).hexdigest()


def _node(left: str, right: str) -> str:
    return hashlib.sha256(b"\x01" + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()


def _levels(leaves: list[str]) -> list[list[str]]:
    levels = [leaves or [hashlib.sha256(b"").hexdigest()]]
    while len(levels[-1]) > 1:
        level = levels[-1]
        levels.append([_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                       for i in range(0, len(level), 2)])
    return levels


def merkle_root(leaves: list[str]) -> str:
    return _levels(leaves)[-1][0]


def merkle_path(leaves: list[str], index: int) -> list[dict]:
    """The siblings from the leaf up to the root: [{"side": "left"|"right", "hash"}], the side the sibling is on."""
    path = []
    for level in _levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append({"side": "left" if sibling < index else "right", "hash": level[sibling]})
        index //= 2
    return path


def path_root(leaf: str, path: list[dict]) -> str:
    for step in path:
        leaf = _node(step["hash"], leaf) if step["side"] == "left" else _node(leaf, step["hash"])
    return leaf


# --- Making, publishing and checking checkpoints ---------------------------------------------------------------

def signed_text(number: int, at: str, root: str) -> bytes:
    return f"minsheng-checkpoint:{VERSION}:{number}:{at}:{root}".encode()


def checkpoint_make(*, at=None, force: bool = False) -> Checkpoint | None:
    """Sign every chain's head now; None when nothing was appended since the last checkpoint (unless `force`).
    Raises KeyMissing without a key."""
    key = signing_key()
    with transaction.atomic():
        chains = [{"name": name, "origin": origin, "length": length, "head": head}
                  for name, origin, length, head in Chain.objects.values_list("name", "origin", "length", "head")]
        last = Checkpoint.objects.first()
        if last is not None and last.chains == chains and not force:
            return None
        root = merkle_root([chain_leaf(chain) for chain in chains])
        checkpoint = Checkpoint.objects.create(at=event_time(at), chains=chains, root=root,
                                               public_key=public_key_hex(key.public_key()), signature="")
        checkpoint.signature = key.sign(signed_text(checkpoint.pk, _at_text(checkpoint), root)).hex()
        checkpoint.save(update_fields=["signature"])
    return checkpoint


def _at_text(checkpoint: Checkpoint) -> str:
    return event_time(checkpoint.at).isoformat(timespec="seconds")


def checkpoint_public(checkpoint: Checkpoint) -> dict:
    """The published form (docs/checkpoint.schema.json)."""
    return {"version": VERSION, "number": checkpoint.pk, "at": _at_text(checkpoint), "root": checkpoint.root,
            "chains": checkpoint.chains, "key_id": key_id(checkpoint.public_key), "public_key": checkpoint.public_key,
            "signature": checkpoint.signature}


@dataclasses.dataclass
class CheckpointRefused(Exception):
    reason: str


def checkpoint_check(published: dict, public_key: str) -> None:
    """Raise CheckpointRefused unless `published` (a checkpoint's JSON) is signed by `public_key` (hex) and its
    root is the one its chains give."""
    if merkle_root([chain_leaf(chain) for chain in published["chains"]]) != published["root"]:
        raise CheckpointRefused("检查点的默克尔根与其中各链不符。The checkpoint's root does not match its chains.")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(published["signature"]),
            signed_text(published["number"], published["at"], published["root"]))
    except (InvalidSignature, ValueError):
        raise CheckpointRefused("检查点的签名无效（不是这把公钥签的，或内容被改过）。"
                                "The checkpoint's signature is not valid for this public key.") from None
