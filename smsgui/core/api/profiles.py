"""Named connection profiles: where to send and with which API key. Never a secret.

The built-in Sandbox profiles are always first (SMS API, then Messages API) and the first is
the one a new user starts with; their address and credentials come from the embedded sandbox
at run time. Secrets of the other
profiles live in the OS keyring, looked up by profile name (see the credentials panel).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from smsgui.core.api.apitypes import VONAGE_API_URL, VONAGE_REST_URL, AuthMethod, Endpoint
from smsgui.core.api.signing import SignatureMethod

SANDBOX_PROFILE_NAME = "Sandbox (built in)"
SANDBOX_MESSAGES_PROFILE_NAME = "Sandbox (Messages API)"
_FORMAT_VERSION = 1


class EndpointKind(enum.StrEnum):
    SANDBOX = "sandbox"
    VONAGE = "vonage"
    CUSTOM = "custom"


class SendApi(enum.StrEnum):
    """Which Vonage API a profile sends SMS through."""

    SMS = "sms"
    """The SMS API: ``POST /sms/json`` on the REST base URL."""
    MESSAGES = "messages"
    """The Messages API: ``POST /v1/messages`` (channel sms) on the API base URL."""


@dataclass(frozen=True)
class Profile:
    """One place to send to. ``api_key`` is an identifier, not a secret."""

    name: str
    kind: EndpointKind
    api_key: str = ""
    auth_method: AuthMethod = AuthMethod.BASIC
    signature_method: SignatureMethod = SignatureMethod.MD5_HASH
    rest_base_url: str = VONAGE_REST_URL
    api_base_url: str = VONAGE_API_URL
    send_api: SendApi = SendApi.SMS
    application_id: str = ""
    """A Messages API profile with an application ID signs its requests with a JWT (the key
    is in the keyring); without one it uses HTTP Basic with the API key and secret."""

    @property
    def uses_jwt(self) -> bool:
        return self.send_api is SendApi.MESSAGES and bool(self.application_id)

    @property
    def is_sandbox(self) -> bool:
        """Sends go to the app's own sandbox: nothing really leaves the computer."""
        return self.kind is EndpointKind.SANDBOX

    @property
    def is_builtin(self) -> bool:
        """A built-in Sandbox profile, which uses the sandbox's own public credentials."""
        return self.is_sandbox and is_builtin_name(self.name)

    def endpoint(self, sandbox_url: str | None = None) -> Endpoint:
        """The base URLs; the sandbox profile needs the embedded sandbox's address."""
        if self.is_sandbox:
            if sandbox_url is None:
                raise ValueError("the sandbox profile needs the running sandbox's URL")
            return Endpoint(rest_base_url=sandbox_url, api_base_url=sandbox_url)
        if self.kind is EndpointKind.VONAGE:
            return Endpoint(VONAGE_REST_URL, VONAGE_API_URL)
        return Endpoint(self.rest_base_url, self.api_base_url)


SANDBOX_PROFILE = Profile(name=SANDBOX_PROFILE_NAME, kind=EndpointKind.SANDBOX)
SANDBOX_MESSAGES_PROFILE = Profile(name=SANDBOX_MESSAGES_PROFILE_NAME, kind=EndpointKind.SANDBOX,
                                   send_api=SendApi.MESSAGES)
"""The sandbox again, through the Messages API with its key and secret, so that path can be
tried without an account too."""
BUILTIN_PROFILES = (SANDBOX_PROFILE, SANDBOX_MESSAGES_PROFILE)


def is_builtin_name(name: str) -> bool:
    """Whether ``name`` is taken by a built-in profile, which cannot be edited or deleted."""
    return any(name == profile.name for profile in BUILTIN_PROFILES)


class ProfileStore:
    """Profiles kept as a small JSON file in the user's settings folder."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self) -> list[Profile]:
        """Every profile, the built-in sandbox ones first; on first run only those."""
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return list(BUILTIN_PROFILES)
        raw_profiles = data.get("profiles") if isinstance(data, dict) else None
        profiles = [profile for raw in raw_profiles or [] if (profile := _profile(raw))]
        return [*BUILTIN_PROFILES, *(p for p in profiles if not is_builtin_name(p.name))]

    def save(self, profiles: Sequence[Profile]) -> None:
        """Write every profile but the built-in one; raises DocumentError on failure."""
        from smsgui.core.api.documents import DocumentError, write_atomically  # only when saving

        stored = [_profile_json(profile) for profile in profiles if not profile.is_builtin]
        payload = {"version": _FORMAT_VERSION, "profiles": stored}
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DocumentError(f"Cannot create {self._path.parent}: {error.strerror}.") from error
        write_atomically(self._path, (json.dumps(payload, indent=2) + "\n").encode("utf-8"))


def _profile_json(profile: Profile) -> dict[str, str]:
    return {key: str(value) for key, value in asdict(profile).items()}


def _profile(raw: object) -> Profile | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        return None
    try:
        return Profile(
            name=raw["name"],
            kind=EndpointKind(raw.get("kind", "vonage")),
            api_key=str(raw.get("api_key", "")),
            auth_method=AuthMethod(raw.get("auth_method", "basic")),
            signature_method=SignatureMethod(raw.get("signature_method", "md5hash")),
            rest_base_url=str(raw.get("rest_base_url", VONAGE_REST_URL)),
            api_base_url=str(raw.get("api_base_url", VONAGE_API_URL)),
            send_api=SendApi(raw.get("send_api", "sms")),
            application_id=str(raw.get("application_id", "")),
        )
    except ValueError:
        return None
