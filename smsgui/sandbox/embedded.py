"""The sandbox inside the app: started on first use on a free loopback port, stopped on exit."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from smsgui.core.api.apitypes import AuthMethod, Credentials, Endpoint
from smsgui.sandbox.config import SandboxConfig

if TYPE_CHECKING:
    from smsgui.sandbox.server import SandboxServer


class EmbeddedSandbox:
    """Owns the app's in-process sandbox; safe to call from any thread."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._server: SandboxServer | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> SandboxServer | None:
        """The running sandbox, to look at its account; None until it is first used."""
        return self._server

    def url(self) -> str:
        """The sandbox's base URL, starting it if it is not running yet."""
        with self._lock:
            if self._server is None:
                # Imported on first use: the server and its rules are not needed to open the window.
                from smsgui.sandbox.server import SandboxServer

                self._server = SandboxServer(self.config, host="127.0.0.1", port=0).start()
            return self._server.url

    def endpoint(self) -> Endpoint:
        url = self.url()
        return Endpoint(rest_base_url=url, api_base_url=url)

    def credentials(self, auth_method: AuthMethod = AuthMethod.BASIC) -> Credentials:
        """The sandbox's own credentials: public defaults, nothing from the keyring."""
        return Credentials(api_key=self.config.api_key, api_secret=self.config.api_secret,
                           signature_secret=self.config.signature_secret,
                           signature_method=self.config.signature_method,
                           auth_method=auth_method)

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None
