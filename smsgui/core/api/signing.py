"""Signed requests: the ``sig`` parameter of the Vonage SMS API.

The algorithm (Vonage's signing guide): sort the parameters by key, drop ``sig``, replace ``&`` and
``=`` with ``_`` inside every value, join them as ``&k1=v1&k2=v2...`` and then either append the
signature secret and take the MD5 of the whole ("MD5 hash", the dashboard default) or take an HMAC
of the string keyed with the secret. The signature is sent as lowercase hex; received signatures
are compared case-insensitively because webhooks carry uppercase hex.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

SIG_FIELD = "sig"
TIMESTAMP_FIELD = "timestamp"


class SignatureMethod(enum.StrEnum):
    """The signature methods the Vonage dashboard offers, named as the Node SDK names them."""

    MD5_HASH = "md5hash"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    SHA512 = "sha512"


def signature_base(params: Mapping[str, str]) -> str:
    """The string that is hashed: ``&k=v`` pairs sorted by key, ``sig`` left out.

    ``&`` and ``=`` in values become ``_``; the values actually sent stay unchanged.
    """
    return "".join(
        f"&{key}={_escape(params[key])}" for key in sorted(params) if key != SIG_FIELD
    )


def sign(params: Mapping[str, str], secret: str, method: SignatureMethod) -> str:
    """The signature of ``params`` as lowercase hex."""
    # hashlib and hmac load here: profiles name a method at start-up, signing comes much later.
    import hashlib
    import hmac

    base = signature_base(params).encode("utf-8")
    key = secret.encode("utf-8")
    if method is SignatureMethod.MD5_HASH:
        return hashlib.md5(base + key, usedforsecurity=False).hexdigest()
    return hmac.new(key, base, method.value).hexdigest()


def verify(params: Mapping[str, str], secret: str, method: SignatureMethod) -> bool:
    """Whether ``params["sig"]`` is the right signature, ignoring the case of the hex digits."""
    import hmac

    received = params.get(SIG_FIELD)
    if not received:
        return False
    expected = sign(params, secret, method)
    return hmac.compare_digest(expected.encode("ascii"), received.strip().lower().encode("utf-8"))


def signed_params(
    params: Mapping[str, str], secret: str, method: SignatureMethod, timestamp: int
) -> dict[str, str]:
    """A copy of ``params`` with ``timestamp`` (Unix seconds) and the matching ``sig`` added."""
    result = {key: value for key, value in params.items() if key != SIG_FIELD}
    result[TIMESTAMP_FIELD] = str(int(timestamp))
    result[SIG_FIELD] = sign(result, secret, method)
    return result


def _escape(value: str) -> str:
    return value.replace("&", "_").replace("=", "_")
