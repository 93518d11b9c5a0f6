"""Channel secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the installation's
secret with HKDF, so the database alone never reveals a webhook URL, a signing secret or a password."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT = b"tendero-channel-secrets"
INFO = b"tendero channels v1"


class SealBroken(ValueError):
    """The sealed secrets cannot be opened: sealed under another installation secret, or altered."""


def _fernet(installation_secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=INFO).derive(installation_secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(values: dict[str, Any], installation_secret: str) -> str:
    """``values`` as one encrypted, authenticated token (text)."""
    return _fernet(installation_secret).encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(token: str, installation_secret: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet(installation_secret).decrypt(token.encode())))
    except (InvalidToken, ValueError) as error:
        raise SealBroken(
            "the channel's secrets were sealed with another TENDERO_SECRET_KEY (or altered): set them again"
        ) from error
