"""A small software authenticator (ES256, "none" attestation, PRF like CTAP2 hmac-secret) for
HTTP-level passkey tests, so replays, counters and wrong PRF outputs can be tried byte by byte."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from domain.core.keyring import b64d, b64e


@dataclass
class SoftCredential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    prf_secret: bytes
    counter: int = 0


@dataclass
class SoftAuthenticator:
    rp_id: str = "localhost"
    origin: str = "http://localhost"
    prf: bool = True
    uv: bool = True
    counts: bool = True
    creds: list[SoftCredential] = field(default_factory=list)

    def _prf(self, cred: SoftCredential, salt_b64: str) -> str:
        # What the browser hands the page: HMAC over SHA-256("WebAuthn PRF" || 0 || salt).
        salt = hashlib.sha256(b"WebAuthn PRF\x00" + b64d(salt_b64)).digest()
        return b64e(hmac.new(cred.prf_secret, salt, hashlib.sha256).digest())

    def _flags(self, extra: int = 0) -> bytes:
        return bytes([0x01 | (0x04 if self.uv else 0) | extra])

    def create(self, options: dict) -> tuple[str, str]:
        """(credential JSON, PRF output or "") for navigator.credentials.create options."""
        cred = SoftCredential(secrets.token_bytes(16), ec.generate_private_key(ec.SECP256R1()),
                              b64d(options["user"]["id"]), secrets.token_bytes(32))
        self.creds.append(cred)
        nums = cred.key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + self._flags(0x40) + (0).to_bytes(4, "big")
                     + bytes(16) + len(cred.credential_id).to_bytes(2, "big") + cred.credential_id + cose)
        client = self._client_data("webauthn.create", options["challenge"])
        body = {"id": b64e(cred.credential_id), "rawId": b64e(cred.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64e(client), "transports": ["internal"],
                             "attestationObject": b64e(cbor2.dumps({"fmt": "none", "attStmt": {},
                                                                    "authData": auth_data}))},
                "clientExtensionResults": {}}
        salt = ((options.get("extensions") or {}).get("prf") or {}).get("eval", {}).get("first")
        return json.dumps(body), self._prf(cred, salt) if (self.prf and salt) else ""

    def get(self, options: dict, cred: SoftCredential | None = None, challenge: str | None = None,
            counter: int | None = None) -> tuple[str, str]:
        """(assertion JSON, PRF output or ""); PRF only when the options name this credential."""
        cred = cred or self.creds[0]
        if counter is not None:
            cred.counter = counter
        elif self.counts:
            cred.counter += 1
        auth_data = hashlib.sha256(self.rp_id.encode()).digest() + self._flags() + cred.counter.to_bytes(4, "big")
        client = self._client_data("webauthn.get", challenge or options["challenge"])
        sig = cred.key.sign(auth_data + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
        body = {"id": b64e(cred.credential_id), "rawId": b64e(cred.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64e(client), "authenticatorData": b64e(auth_data),
                             "signature": b64e(sig), "userHandle": b64e(cred.user_handle)},
                "clientExtensionResults": {}}
        by_cred = ((options.get("extensions") or {}).get("prf") or {}).get("evalByCredential") or {}
        salt = (by_cred.get(b64e(cred.credential_id)) or {}).get("first")
        return json.dumps(body), self._prf(cred, salt) if (self.prf and salt) else ""

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin,
                           "crossOrigin": False}).encode()
