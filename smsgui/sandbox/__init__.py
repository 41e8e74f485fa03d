"""A faithful offline stand-in for the Vonage SMS API, served on loopback.

The server lives in :mod:`smsgui.sandbox.server`; this package imports nothing heavy, so the app
can hold an :class:`~smsgui.sandbox.embedded.EmbeddedSandbox` without loading it.
"""
