#!/usr/bin/env python3
"""Independent check of the backend's Web Push requests, with other people's code: `http_ece`
decrypts each body (RFC 8291 / RFC 8188 aes128gcm) with the device's private key and auth secret,
and `cryptography` verifies each VAPID token (RFC 8292: ES256 JWT) against the key in the
Authorization header.

    python3 push_check.py REQUESTS.json

REQUESTS.json is a list of objects, each with (byte strings as base64url):
    body           the request body as received
    private_key    the device's P-256 private key (32 bytes)
    auth           the subscription's auth secret (16 bytes)
    authorization  the Authorization header as received

Prints a JSON list with, for each request in order:
    {"payload": <the decrypted body, parsed as JSON>, "jwt_header": {...}, "claims": {...},
     "k": "<the key the token was verified with, base64url>", "record_size": N, "key_id": "..."}
Exits 1 (with the reason on stderr) when a body does not decrypt, a token does not verify, or
the Authorization header is not `vapid t=<JWT>, k=<key>`.
"""

import base64
import json
import re
import sys

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def decrypt(body, private_key, auth):
    key = ec.derive_private_key(int.from_bytes(private_key, "big"), ec.SECP256R1())
    # With aes128gcm the sender's public key travels in the header's key id; http_ece reads it
    # from there.
    return http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")


def verify_vapid(authorization):
    match = re.fullmatch(r"vapid t=([A-Za-z0-9_\-.]+), ?k=([A-Za-z0-9_\-]+)", authorization)
    if not match:
        fail(f"Authorization is not 'vapid t=..., k=...': {authorization!r}")
    token, k = match.groups()
    parts = token.split(".")
    if len(parts) != 3:
        fail(f"the token has {len(parts)} parts, not 3")
    header = json.loads(b64decode(parts[0]))
    claims = json.loads(b64decode(parts[1]))
    signature = b64decode(parts[2])
    if header.get("alg") != "ES256":
        fail(f"the token is not ES256: {header}")
    if len(signature) != 64:
        fail(f"an ES256 signature is 64 bytes (r || s), got {len(signature)}")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(k))
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{parts[0]}.{parts[1]}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        fail("the VAPID token's signature does not verify")
    return header, claims, k


def main():
    if len(sys.argv) != 2:
        fail(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        requests = json.load(f)
    out = []
    for i, req in enumerate(requests):
        body = b64decode(req["body"])
        try:
            plaintext = decrypt(body, b64decode(req["private_key"]), b64decode(req["auth"]))
        except Exception as e:  # any failure to decrypt is the finding
            fail(f"request {i}: the body does not decrypt: {e!r}")
        try:
            payload = json.loads(plaintext.decode("utf-8"))
        except ValueError as e:
            fail(f"request {i}: the plaintext is not UTF-8 JSON: {e}")
        header, claims, k = verify_vapid(req["authorization"])
        idlen = body[20]
        out.append(
            {
                "payload": payload,
                "jwt_header": header,
                "claims": claims,
                "k": k,
                "record_size": int.from_bytes(body[16:20], "big"),
                "key_id": b64encode(body[21 : 21 + idlen]),
            }
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
