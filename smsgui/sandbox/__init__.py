"""A faithful offline stand-in for the Vonage SMS API, served on loopback."""

from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.server import SandboxServer

__all__ = ["SandboxConfig", "SandboxServer"]
