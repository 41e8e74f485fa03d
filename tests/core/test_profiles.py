"""Connection profiles: the sandbox first, the rest stored without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smsgui.core.api.client import AuthMethod
from smsgui.core.api.profiles import (
    BUILTIN_PROFILES,
    SANDBOX_MESSAGES_PROFILE,
    SANDBOX_PROFILE,
    EndpointKind,
    Profile,
    ProfileStore,
    SendApi,
)
from smsgui.core.api.signing import SignatureMethod

LIVE = Profile(name="Acme live", kind=EndpointKind.VONAGE, api_key="abcd1234",
               auth_method=AuthMethod.SIGNATURE, signature_method=SignatureMethod.SHA256)
STAGING = Profile(name="Staging proxy", kind=EndpointKind.CUSTOM, api_key="efgh5678",
                  rest_base_url="https://sms.staging.example", api_base_url="https://api.example")


def test_first_run_offers_only_the_sandbox_through_either_api(tmp_path: Path) -> None:
    assert ProfileStore(tmp_path / "profiles.json").load() == [SANDBOX_PROFILE,
                                                              SANDBOX_MESSAGES_PROFILE]
    assert [profile.send_api for profile in BUILTIN_PROFILES] == [SendApi.SMS, SendApi.MESSAGES]
    assert all(profile.is_builtin and profile.is_sandbox for profile in BUILTIN_PROFILES)


def test_a_stored_profile_cannot_take_a_built_in_name(tmp_path: Path) -> None:
    """A hand-edited file naming a profile like a built-in one does not replace it."""
    path = tmp_path / "profiles.json"
    impostor = {"name": SANDBOX_MESSAGES_PROFILE.name, "kind": "vonage", "api_key": "abcd1234"}
    path.write_text(json.dumps({"version": 1, "profiles": [impostor]}), encoding="utf-8")
    assert ProfileStore(path).load() == list(BUILTIN_PROFILES)


def test_profiles_round_trip_with_the_sandbox_first(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "deep" / "profiles.json")
    store.save([*BUILTIN_PROFILES, LIVE, STAGING])
    assert store.load() == [*BUILTIN_PROFILES, LIVE, STAGING]
    stored = json.loads((tmp_path / "deep" / "profiles.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in stored["profiles"]] == ["Acme live", "Staging proxy"]
    assert "secret" not in json.dumps(stored).lower()


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"profiles": [1, {"name": ""}, '
                                     '{"name": "x", "kind": "moon"}]}'])
def test_a_damaged_file_falls_back_to_the_sandbox(tmp_path: Path, content: str) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(content, encoding="utf-8")
    assert ProfileStore(path).load() == list(BUILTIN_PROFILES)


def test_endpoints() -> None:
    assert LIVE.endpoint().rest_base_url == "https://rest.nexmo.com"
    assert STAGING.endpoint().api_base_url == "https://api.example"
    assert SANDBOX_PROFILE.endpoint("http://127.0.0.1:5000").rest_base_url == (
        "http://127.0.0.1:5000")
    with pytest.raises(ValueError, match="running sandbox"):
        SANDBOX_PROFILE.endpoint()
