"""Vonage's official Python SDK sends SMS through the sandbox's Messages API unchanged but for
the host: the sandbox serves HTTPS with a test authority the SDK is told to trust, since the
SDK always speaks ``https://{api_host}``."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme
from conftest import start_sandbox
from vonage import Auth, HttpClientOptions, Vonage
from vonage_http_client.errors import AuthenticationError, HttpRequestError
from vonage_messages import Sms

from smsgui.core.api.decode import SendResponse, Unreadable, decode_response
from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from smsgui.sandbox.server import SandboxServer


@pytest.fixture
def tls_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with authority.cert_pem.tempfile() as trusted:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", trusted)  # what requests (the SDK's) trusts
        with start_sandbox(tls=context) as sandbox:
            assert sandbox.url.startswith("https://127.0.0.1:")
            yield sandbox


def sdk(sandbox: SandboxServer, *, jwt: bool, secret: str = DEFAULT_API_SECRET) -> Vonage:
    host = sandbox.url.removeprefix("https://")
    if jwt:
        application = sandbox.application
        auth = Auth(application_id=application.application_id,
                    private_key=application.private_key)
    else:
        auth = Auth(api_key=DEFAULT_API_KEY, api_secret=secret)
    return Vonage(auth, HttpClientOptions(api_host=host, timeout=5))


@pytest.mark.parametrize("jwt", [False, True], ids=["basic", "jwt"])
def test_the_sdk_sends_and_smsgui_reads_the_answer(tls_sandbox: SandboxServer,
                                                   jwt: bool) -> None:
    response = sdk(tls_sandbox, jwt=jwt).messages.send(
        Sms(to="447700900000", from_="AcmeInc", text="Hello from the Vonage SDK"))
    print(f"SDK ({'jwt' if jwt else 'basic'}) returned: {response!r}")
    decoded = decode_response({"message_uuid": response.message_uuid})
    assert isinstance(decoded, SendResponse) and decoded.ok


@pytest.mark.parametrize(("to", "secret", "error", "entry"), [
    ("447700900000", "WrongSecret999", AuthenticationError, "response-error-object"),
    ("447700900009", DEFAULT_API_SECRET, HttpRequestError, "response-error-object"),
    ("447700900015", DEFAULT_API_SECRET, HttpRequestError, "messages-1120"),
    ("447700900029", DEFAULT_API_SECRET, HttpRequestError, "messages-1160"),
], ids=["401 bad secret", "402 low balance", "422 invalid sender", "403 not whitelisted"])
def test_the_sdk_raises_on_each_refusal_and_smsgui_explains_its_body(
    tls_sandbox: SandboxServer, to: str, secret: str, error: type[Exception], entry: str
) -> None:
    client = sdk(tls_sandbox, jwt=False, secret=secret)
    with pytest.raises(error) as raised:
        client.messages.send(Sms(to=to, from_="AcmeInc", text="Hello from the Vonage SDK"))
    print(f"SDK raised {type(raised.value).__name__}: {raised.value}")
    decoded = decode_response(raised.value.response.text)  # type: ignore[attr-defined]
    assert isinstance(decoded, Unreadable) and decoded.entry.id == entry
