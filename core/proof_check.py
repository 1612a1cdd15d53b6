#!/usr/bin/env python3
"""Check a Minsheng proof (民生 事件证明): that a record's events are in its event chain under a signed checkpoint.

One file, the Python standard library only, so that a resident can copy it alone and run it anywhere:

    python3 check-proof.py PROOF.json [--key PUBLIC_KEY_HEX]

It is also `bin/check-proof` (a link to this file) and what `manage.py check_proof` runs. It recomputes, with code of
its own rather than the server's, every step docs/resident-proof.md describes: each event's digest (leaf) from what
the proof shows of it, the chain from the hash before the record's first event through every later event's leaf
to the chain's head, the checkpoint's Merkle root from that head and the path, and the checkpoint's Ed25519
signature (RFC 8032, written out below: the standard library has no Ed25519). Exit status: 0 every event is under a
signed checkpoint and matches; 1 something does not match (the step is printed); 2 all that is shown matches, but
the newest events wait for the next checkpoint.
"""

from __future__ import annotations  # the checker runs on a resident's older Python too

import argparse
import datetime
import hashlib
import json
import sys

FORMAT = "minsheng-proof"
VERSION = 1
CHINA = datetime.timezone(datetime.timedelta(hours=8))


class ProofFailed(Exception):
    """A step of the check that does not match: the message says which, in Chinese then English."""


# --- The hashes (core/events.py and core/checkpoints.py make them; these are written again on purpose) ---------

def digest(value) -> str:
    body = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def event_leaf(event: dict, subject: dict) -> str:
    return digest([event["at"], event["verb"], subject["type"], subject["id"], event["private"]])


def chain_link(prev_hash: str, leaf: str) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + bytes.fromhex(leaf)).hexdigest()


def chain_leaf(chain: dict) -> str:
    body = json.dumps([chain["name"], chain["origin"], chain["length"], chain["head"]], separators=(",", ":"))
    return hashlib.sha256(b"\x00" + body.encode()).hexdigest()


def path_root(leaf: str, path: list) -> str:
    for step in path:
        pair = (step["hash"], leaf) if step["side"] == "left" else (leaf, step["hash"])
        leaf = hashlib.sha256(b"\x01" + bytes.fromhex(pair[0]) + bytes.fromhex(pair[1])).hexdigest()
    return leaf


def signed_text(checkpoint: dict) -> bytes:
    return f"minsheng-checkpoint:1:{checkpoint['number']}:{checkpoint['at']}:{checkpoint['root']}".encode()


# --- Ed25519 signature check, RFC 8032 §5.1 (points in extended coordinates, §5.1.4) ---------------------------

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493  # the order of the base point
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    p, q = (y1 - x1) * (y2 - x2) % P, (y1 + x1) * (y2 + x2) % P
    r, s = 2 * t1 * t2 * D % P, 2 * z1 * z2 % P
    e, f, g, h = q - p, s - r, s + r, q + p
    return e * f % P, g * h % P, f * g % P, e * h % P


def _multiply(scalar: int, point):
    result = (0, 1, 1, 0)  # the neutral point
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _same(a, b) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _decompress(data: bytes):
    """The point 32 bytes encode (§5.1.3), or None when they encode none."""
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P or (x == 0 and sign):
        return None
    if x & 1 != sign:
        x = P - x
    return x, y, 1, x * y % P


BASE = _decompress((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is the owner of `public_key` signing `message` (§5.1.7: [S]B = R + [k]A)."""
    if len(signature) != 64:
        return False
    a, r = _decompress(public_key), _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    return _same(_multiply(s, BASE), _add(r, _multiply(k, a)))


# --- The check -------------------------------------------------------------------------------------------------

def local_time(at: str) -> str:
    """An event's time (UTC in the proof) as Beijing time, to the minute."""
    return datetime.datetime.fromisoformat(at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def segment_check(segment: dict, subject: dict, key: str | None) -> list[str]:
    """One chain's stretch: the record's events in it and every later event's leaf up to the checkpoint."""
    chain, checkpoint, signed = segment["chain"], segment["checkpoint"], segment["signed_chain"]
    head, seq = segment["prev_hash"], segment["from_seq"]
    lines = []
    for step in segment["steps"]:
        if "leaf" in step:
            leaf = step["leaf"]
        else:
            if step["seq"] != seq:
                raise ProofFailed(f"事件的序号不对：应为 {seq}，写的是 {step['seq']}。"
                                  f"An event's position is wrong: {step['seq']} where {seq} belongs.")
            leaf = event_leaf(step, subject)
            lines.append(f"  {local_time(step['at'])}  {step['verb']}  （链 {chain} 第 {seq} 个 / chain {chain} "
                         f"#{seq}）")
        head = chain_link(head, leaf)
        seq += 1
    length = seq - 1
    if signed["name"] != chain:
        raise ProofFailed(f"检查点签的是另一条链 {signed['name']}。The checkpoint's chain is {signed['name']}, "
                          f"not {chain}.")
    if (length, head) != (signed["length"], signed["head"]):
        raise ProofFailed(f"由事件算出的链 {chain} 的末端（第 {length} 个，{head[:16]}…）与检查点签的"
                          f"（第 {signed['length']} 个，{signed['head'][:16]}…）不符：事件或其后的摘要被改过。"
                          f"The chain computed from the events ends at #{length} {head[:16]}…, the checkpoint "
                          f"signed #{signed['length']} {signed['head'][:16]}…: an event or a later digest was changed.")
    if path_root(chain_leaf(signed), segment["merkle_path"]) != checkpoint["root"]:
        raise ProofFailed(f"链 {chain} 经默克尔路径得不到第 {checkpoint['number']} 号检查点的根：路径或根被改过。"
                          f"The chain's Merkle path does not lead to checkpoint #{checkpoint['number']}'s root.")
    public = checkpoint["public_key"].lower()
    if key is not None and public != key.lower():
        raise ProofFailed(f"第 {checkpoint['number']} 号检查点不是用您给的公钥签的（它写的是 {public}）。"
                          f"Checkpoint #{checkpoint['number']} names another key than the one you gave ({public}).")
    if hashlib.sha256(bytes.fromhex(public)).hexdigest()[:16] != checkpoint["key_id"]:
        raise ProofFailed("检查点的密钥编号与公钥不符。The checkpoint's key id does not match its public key.")
    if not ed25519_verify(bytes.fromhex(public), signed_text(checkpoint), bytes.fromhex(checkpoint["signature"])):
        raise ProofFailed(f"第 {checkpoint['number']} 号检查点的签名无效（不是这把公钥签的，或内容被改过）。"
                          f"Checkpoint #{checkpoint['number']}'s signature is not valid for its public key.")
    lines.append(f"  ✓ 链 {chain} 第 {segment['from_seq']}–{length} 个事件 → 第 {checkpoint['number']} 号检查点"
                 f"（{checkpoint['at']}，密钥 {checkpoint['key_id']}）的根 {checkpoint['root'][:16]}…，签名有效。"
                 f" Chain {chain} #{segment['from_seq']}–{length} → checkpoint #{checkpoint['number']}"
                 f" ({checkpoint['at']}, key {checkpoint['key_id']}), root {checkpoint['root'][:16]}…,"
                 f" signature valid.")
    return lines


def proof_check(proof: dict, key: str | None = None) -> tuple[list[str], bool]:
    """Check a proof; return what was checked (lines to print) and whether events wait for the next checkpoint.
    Raises ProofFailed at the first step that does not match."""
    try:
        if proof.get("format") != FORMAT or proof.get("version") != VERSION:
            raise ProofFailed(f"这不是第 {VERSION} 版的民生事件证明。"
                              f"This is not a Minsheng proof of version {VERSION}.")
        subject = proof["subject"]
        lines = [f"记录 {subject['type']} #{subject['id']} 的事件（北京时间）："
                 f" The events of record {subject['type']} #{subject['id']} (Beijing time):"]
        for segment in proof["segments"]:
            lines += segment_check(segment, subject, key)
        pending = proof.get("pending", [])
        for event in pending:
            event_leaf(event, subject)  # well-formed, though nothing signed covers it yet
            lines.append(f"  {local_time(event['at'])}  {event['verb']}  （链 {event['chain']} 第 {event['seq']} 个，"
                         f"待下一个检查点 / chain {event['chain']} #{event['seq']}, awaiting the next checkpoint）")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ProofFailed(f"证明文件的格式不对（{error!r}）。The file is not a well-formed proof.") from None
    if proof.get("legacy_events"):
        lines.append(f"  另有 {proof['legacy_events']} 个更早的事件在旧链 legacy 中，本证明不含（旧链的摘要含操作人）。"
                     f" {proof['legacy_events']} earlier events are in the legacy chain, which this proof cannot show.")
    if not proof["segments"] and not pending:
        raise ProofFailed("证明里没有任何事件。The proof holds no event.")
    return lines, bool(pending)


def main(argv=None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(description="核验民生事件证明 / Check a Minsheng proof of a record's events.")
    parser.add_argument("proof", help="证明文件 / the proof's JSON file (proof.json)")
    parser.add_argument("--key", help="公布的检查点公钥（十六进制）/ the published checkpoint public key (hex)")
    args = parser.parse_args(argv)
    try:
        with open(args.proof, encoding="utf-8") as file:
            proof = json.load(file)
        lines, pending = proof_check(proof, args.key)
    except (OSError, ValueError) as error:
        print(f"✗ 读不了证明文件 / cannot read the proof: {error}", file=out)
        return 1
    except ProofFailed as failed:
        print(f"✗ 核验失败 / check failed: {failed}", file=out)
        return 1
    print("\n".join(lines), file=out)
    if args.key is None:
        print("! 没有给出公钥：以上签名是用证明里写的公钥核验的。请把它与街道公布的公钥比对（检查点页面、公告栏），"
              "或用 --key 指定。No --key given: the signatures were checked with the key the proof names; compare "
              "it with the published one (the checkpoints page, the notice board), or give it with --key.", file=out)
    if pending:
        print("… 最新的事件还没有检查点签名，请在下一个检查点后重新下载证明再核验。The newest events are not under a "
              "checkpoint yet: download the proof again after the next one.", file=out)
        return 2
    print("✓ 核验通过：这些事件都在已签名的检查点之下，没有被改动。Check passed: these events are under a signed "
          "checkpoint, unchanged.", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
