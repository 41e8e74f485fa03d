"""Signed requests: the reference test vectors, escaping, verification and a round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsgui.core.api.signing import (
    SignatureMethod,
    sign,
    signature_base,
    signed_params,
    verify,
)

# Reference sheet §6 (from the Vonage Node SDK's signature data set).
VECTOR_PARAMS = {
    "message-timestamp": "2013-11-21 15:27:30",
    "messageId": "020000001B0FE827",
    "msisdn": "14843472194",
    "text": "Test again",
    "timestamp": "1385047698",
    "to": "13239877404",
    "type": "text",
}
VECTOR_SECRET = "my_secret_key_for_testing"
# The SHA-256 and SHA-512 values were computed once with hashlib/hmac; the reference gives only
# the SHA-256 prefix and suffix, which the test below checks as well.
VECTORS = {
    SignatureMethod.MD5_HASH: "d2e7b1dc968737c5998ad624e02f90b7",
    SignatureMethod.MD5: "DDEBD46008C2D4E93CCE578A332A52D5",
    SignatureMethod.SHA1: "27D0D05C2876C7CB1720DBCDBA4D492E1E55C09A",
    SignatureMethod.SHA256: "ddb8397c2b90aac7f3882d306475c9a5058c92322eef43c92b298b6e0fc0d330",
    SignatureMethod.SHA512: (
        "e0d3c650f8c9d1a5c174d10dddbfb003e561f59b265616208b0487c5d819481c"
        "d3c311d59cf6165ecd1139622d5ba3a256c0d763ac4a9ad9144b5a426b94fe82"
    ),
}


@pytest.mark.parametrize("method", list(SignatureMethod))
def test_reference_vectors(method: SignatureMethod) -> None:
    assert sign(VECTOR_PARAMS, VECTOR_SECRET, method) == VECTORS[method].lower()


def test_sha256_vector_matches_the_reference_prefix_and_suffix() -> None:
    signature = sign(VECTOR_PARAMS, VECTOR_SECRET, SignatureMethod.SHA256).upper()
    assert signature.startswith("DDB8397C")
    assert signature.endswith("0FC0D330")


def test_method_values_are_the_sdk_names() -> None:
    assert [method.value for method in SignatureMethod] == [
        "md5hash", "md5", "sha1", "sha256", "sha512",
    ]


def test_base_is_sorted_with_a_leading_ampersand_and_no_sig() -> None:
    params = {"to": "447700900000", "from": "Acme", "sig": "abc", "api_key": "k"}
    assert signature_base(params) == "&api_key=k&from=Acme&to=447700900000"


def test_ampersand_and_equals_in_values_become_underscores() -> None:
    assert signature_base({"text": "a&b=c", "x": "=&"}) == "&text=a_b_c&x=__"


def test_escaping_changes_the_signature_only_through_the_base() -> None:
    escaped = sign({"text": "a_b_c"}, "secret", SignatureMethod.SHA256)
    assert sign({"text": "a&b=c"}, "secret", SignatureMethod.SHA256) == escaped


def test_sign_returns_lowercase_hex() -> None:
    for method in SignatureMethod:
        signature = sign({"a": "b"}, "secret", method)
        assert signature == signature.lower()
        int(signature, 16)


@pytest.mark.parametrize("method", list(SignatureMethod))
def test_verify_accepts_the_reference_signature_in_either_case(method: SignatureMethod) -> None:
    for sig in (VECTORS[method].upper(), VECTORS[method].lower()):
        assert verify({**VECTOR_PARAMS, "sig": sig}, VECTOR_SECRET, method)


def test_verify_rejects_a_tampered_value() -> None:
    params = {**VECTOR_PARAMS, "sig": VECTORS[SignatureMethod.MD5_HASH]}
    assert verify(params, VECTOR_SECRET, SignatureMethod.MD5_HASH)
    assert not verify({**params, "text": "Test again!"}, VECTOR_SECRET, SignatureMethod.MD5_HASH)


def test_verify_rejects_the_wrong_secret_method_or_a_missing_sig() -> None:
    params = {**VECTOR_PARAMS, "sig": VECTORS[SignatureMethod.SHA1]}
    assert not verify(params, "another_secret", SignatureMethod.SHA1)
    assert not verify(params, VECTOR_SECRET, SignatureMethod.SHA256)
    assert not verify(VECTOR_PARAMS, VECTOR_SECRET, SignatureMethod.SHA1)
    assert not verify({**VECTOR_PARAMS, "sig": "not hex é"}, VECTOR_SECRET, SignatureMethod.SHA1)


def test_signed_params_adds_timestamp_and_sig_and_keeps_values() -> None:
    params = {"api_key": "abcd1234", "to": "447700900000", "text": "Tom & Jerry = fun"}
    signed = signed_params(params, "sigsecret", SignatureMethod.SHA512, timestamp=1_700_000_000)
    assert signed["timestamp"] == "1700000000"
    assert signed["text"] == "Tom & Jerry = fun"
    assert set(signed) == {*params, "timestamp", "sig"}
    assert verify(signed, "sigsecret", SignatureMethod.SHA512)
    assert "sig" not in params


def test_signed_params_replaces_an_existing_sig() -> None:
    signed = signed_params({"a": "b", "sig": "stale"}, "s", SignatureMethod.MD5, timestamp=1)
    assert signed["sig"] != "stale"
    assert verify(signed, "s", SignatureMethod.MD5)


@settings(database=None, max_examples=200, deadline=None)
@given(
    params=st.dictionaries(st.text(min_size=1).filter(lambda key: key != "sig"), st.text()),
    secret=st.text(min_size=1),
    method=st.sampled_from(list(SignatureMethod)),
    timestamp=st.integers(min_value=0, max_value=2**40),
)
def test_sign_verify_round_trip(
    params: dict[str, str], secret: str, method: SignatureMethod, timestamp: int
) -> None:
    signed = signed_params(params, secret, method, timestamp)
    assert verify(signed, secret, method)
    assert verify({**signed, "sig": signed["sig"].upper()}, secret, method)
