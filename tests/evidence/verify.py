"""An independent verifier of pad's checkpoints and proofs, written from RFC 9162 (section 2.1)
and the C2SP signed-note and tlog-checkpoint specifications, sharing no code with pad.

Usage:
  verify.py checkpoint VKEY_FILE CHECKPOINT_FILE
  verify.py inclusion VKEY_FILE CHECKPOINT_FILE PROOF_JSON_FILE CHAIN_HASH_HEX
  verify.py consistency VKEY_FILE OLD_CHECKPOINT_FILE NEW_CHECKPOINT_FILE PROOF_JSON_FILE

Exits 0 when everything holds and prints "ok"; else exits 1 with the reason.
"""

import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(reason):
    print("FAIL: " + reason)
    sys.exit(1)


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf(data):
    return sha256(b"\x00" + data)


def node(left, right):
    return sha256(b"\x01" + left + right)


def read_vkey(text):
    name, key_id, key = text.strip().split("+", 2)
    key = base64.b64decode(key)
    if key[0] != 1 or len(key) != 33:
        fail("not an Ed25519 verifier key")
    expected = sha256(name.encode() + b"\n" + key)[:4]
    if expected.hex() != key_id:
        fail("the verifier key's id does not match its key")
    return name, expected, Ed25519PublicKey.from_public_bytes(key[1:])


def read_checkpoint(text, vkey):
    name, key_id, public = vkey
    split = text.rindex("\n\n")
    body, signatures = text[: split + 1], text[split + 2 :]
    checked = False
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            fail("a signature line does not start with an em dash")
        signer, encoded = line[2:].split(" ")
        raw = base64.b64decode(encoded)
        if signer == name and raw[:4] == key_id:
            try:
                public.verify(raw[4:], body.encode())
            except InvalidSignature:
                fail("the signature of " + name + " does not hold")
            checked = True
    if not checked:
        fail("no signature of " + name)
    lines = body.split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2])


def check_inclusion(leaf_hash, index, size, proof, root):
    # RFC 9162 section 2.1.3.2
    if index >= size:
        fail("index beyond the tree")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            fail("proof too long")
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        fail("the inclusion proof does not lead to the checkpoint's root")


def check_consistency(first, first_hash, second, second_hash, proof):
    # RFC 9162 section 2.1.4.2
    if first == second:
        if proof or first_hash != second_hash:
            fail("equal sizes with different roots")
        return
    if not proof:
        fail("empty consistency proof")
    if first & (first - 1) == 0:
        proof = [first_hash] + proof
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            fail("consistency proof too long")
        if fn % 2 == 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_hash or sr != second_hash:
        fail("the consistency proof does not join the two roots")


def main(argv):
    command = argv[1]
    vkey = read_vkey(open(argv[2]).read())
    if command == "checkpoint":
        read_checkpoint(open(argv[3]).read(), vkey)
    elif command == "inclusion":
        _, size, root = read_checkpoint(open(argv[3]).read(), vkey)
        proof = json.load(open(argv[4]))
        leaf_hash = leaf(bytes.fromhex(argv[5]))
        if base64.b64decode(proof["leaf_hash"]) != leaf_hash:
            fail("the proof's leaf hash is not SHA-256(0x00 || the event's chain hash)")
        if proof["tree_size"] != size:
            fail("the proof is for another tree size")
        path = [base64.b64decode(h) for h in proof["inclusion"]]
        check_inclusion(leaf_hash, proof["index"], size, path, root)
    elif command == "consistency":
        origin_a, size_a, root_a = read_checkpoint(open(argv[3]).read(), vkey)
        origin_b, size_b, root_b = read_checkpoint(open(argv[4]).read(), vkey)
        if origin_a != origin_b:
            fail("two logs")
        proof = json.load(open(argv[5]))
        path = [base64.b64decode(h) for h in proof["consistency"]]
        check_consistency(size_a, root_a, size_b, root_b, path)
    else:
        fail("unknown command " + command)
    print("ok")


if __name__ == "__main__":
    main(sys.argv)
