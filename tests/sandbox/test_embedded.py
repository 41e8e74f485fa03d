"""The app's in-process sandbox: a newcomer can send with no account at all."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from smsgui.core.api.client import OutgoingSms, SmsApiClient
from smsgui.core.api.decode import SendResponse
from smsgui.core.api.profiles import ProfileStore
from smsgui.sandbox.embedded import EmbeddedSandbox


def test_a_first_run_sends_through_the_embedded_sandbox(tmp_path: Path) -> None:
    profile, messages_profile = ProfileStore(tmp_path / "profiles.json").load()
    assert profile.is_sandbox and messages_profile.is_sandbox
    sandbox = EmbeddedSandbox()
    assert not sandbox.running
    try:
        endpoint = profile.endpoint(sandbox.url())
        assert endpoint.rest_base_url.startswith("http://127.0.0.1:")
        with httpx.Client(trust_env=False, timeout=5) as http:
            client = SmsApiClient(http, sandbox.credentials(), endpoint)
            for number, status in (("447700900000", 0), ("447700900029", 29)):
                outcome = client.send(OutgoingSms(number, "AcmeInc", "Hello"))
                assert isinstance(outcome.decoded, SendResponse)
                assert outcome.decoded.parts[0].status == status
    finally:
        sandbox.stop()
    assert not sandbox.running


def test_it_starts_once_and_stops_without_leaving_threads() -> None:
    before = set(threading.enumerate())
    sandbox = EmbeddedSandbox()
    urls = {sandbox.url() for _ in range(3)}
    assert len(urls) == 1
    sandbox.stop()
    sandbox.stop()
    assert set(threading.enumerate()) - before == set()
