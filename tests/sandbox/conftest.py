"""Fixtures for tests that talk real HTTP to a sandbox on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from smsgui.core.api.client import AuthMethod, Credentials, Endpoint, SmsApiClient
from smsgui.core.api.signing import SignatureMethod
from smsgui.sandbox.config import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_SIGNATURE_SECRET,
    SandboxConfig,
)
from smsgui.sandbox.server import SandboxServer


class FrozenClock:
    """A clock that only moves when told to, for throttling and signature-time tests."""

    def __init__(self, now: float = 1_790_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def start_sandbox(**overrides: object) -> SandboxServer:
    """A started sandbox; ``clock`` and ``tls`` go to the server, the rest to its config."""
    clock = overrides.pop("clock", None)
    tls = overrides.pop("tls", None)
    config = SandboxConfig(**{"dlr_delay": 0.05, **overrides})  # type: ignore[arg-type]
    server = (SandboxServer(config, clock=clock, tls=tls) if clock  # type: ignore[arg-type]
              else SandboxServer(config, tls=tls))  # type: ignore[arg-type]
    return server.start()


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        yield client


def sandbox_credentials(auth: AuthMethod = AuthMethod.BASIC,
                        method: SignatureMethod = SignatureMethod.MD5_HASH) -> Credentials:
    return Credentials(api_key=DEFAULT_API_KEY, api_secret=DEFAULT_API_SECRET,
                       signature_secret=DEFAULT_SIGNATURE_SECRET, signature_method=method,
                       auth_method=auth)


def api_client(server: SandboxServer, http: httpx.Client,
               credentials: Credentials | None = None) -> SmsApiClient:
    endpoint = Endpoint(rest_base_url=server.url, api_base_url=server.url)
    return SmsApiClient(http, credentials or sandbox_credentials(), endpoint,
                        clock=server.clock)


@pytest.fixture
def api(sandbox: SandboxServer, http: httpx.Client) -> SmsApiClient:
    return api_client(sandbox, http)


ZERO = Decimal(0)
