"""HTTPS for ``smsgui sandbox --tls``: a local certificate authority, made once and reused.

Some clients (``vonage`` 3.x among them) build ``https://`` URLs from the host they are given,
so they cannot talk to a plain-HTTP sandbox. The first ``--tls`` run creates, in the user's data
folder, a certificate authority that exists only on this computer and a server certificate it
signs for ``localhost``, 127.0.0.1 and ::1. Later runs reuse both, so a client told to trust the
authority once keeps trusting it; the server certificate alone is re-signed when it nears its
end or when ``--host`` names an address it does not cover.

The authority's key is kept (readable by this user only) so re-signing never asks the user to
trust a new authority. It can sign nothing a browser or client trusts unless told to.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

FOLDER_NAME = "sandbox-tls"
AUTHORITY_FILE = "smsgui-sandbox-ca.pem"
AUTHORITY_KEY_FILE = "smsgui-sandbox-ca-key.pem"
SERVER_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
AUTHORITY_DAYS = 10 * 365
SERVER_DAYS = 397
"""Under the 398 days some platforms allow a server certificate, even a locally trusted one."""
RENEW_BEFORE = datetime.timedelta(days=30)
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


@dataclass(frozen=True)
class LocalCertificates:
    """Where the authority and the server certificate are, once they exist."""

    folder: Path

    @property
    def authority(self) -> Path:
        """The file clients are told to trust."""
        return self.folder / AUTHORITY_FILE

    @property
    def authority_key(self) -> Path:
        return self.folder / AUTHORITY_KEY_FILE

    @property
    def server(self) -> Path:
        return self.folder / SERVER_FILE

    @property
    def server_key(self) -> Path:
        return self.folder / SERVER_KEY_FILE

    def server_context(self) -> ssl.SSLContext:
        """A server-side context that presents the certificate and the chain to the authority."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.server, self.server_key)
        return context


def server_names(host: str) -> tuple[str, ...]:
    """The names the server certificate covers: loopback, and ``host`` when it is a real one."""
    if host in _WILDCARD_HOSTS or host in LOOPBACK_NAMES:
        return LOOPBACK_NAMES
    return (*LOOPBACK_NAMES, host)


def ensure_certificates(folder: Path, host: str = "127.0.0.1",
                        now: datetime.datetime | None = None) -> LocalCertificates:
    """The certificates in ``folder``, made or renewed as needed to serve ``host`` at ``now``."""
    moment = now or datetime.datetime.now(datetime.UTC)
    certificates = LocalCertificates(folder)
    _make_private_folder(folder)
    authority = _load_authority(certificates, moment)
    if authority is None:
        authority = _new_authority(moment)
        _write_key(certificates.authority_key, authority[1])
        _write_certificate(certificates.authority, authority[0])
    names = server_names(host)
    if not _server_is_usable(certificates, authority[0], names, moment):
        certificate, key = _new_server_certificate(authority, names, moment)
        _write_key(certificates.server_key, key)
        # The leaf first, then the authority, so a client sees the whole chain.
        _write_certificate(certificates.server, certificate, authority[0])
    return certificates


_Authority = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def _load_authority(certificates: LocalCertificates,
                    moment: datetime.datetime) -> _Authority | None:
    try:
        certificate = x509.load_pem_x509_certificate(certificates.authority.read_bytes())
        key = serialization.load_pem_private_key(certificates.authority_key.read_bytes(), None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if certificate.public_key() != key.public_key():
        return None
    if certificate.not_valid_after_utc - RENEW_BEFORE < moment:
        return None
    return certificate, key


def _server_is_usable(certificates: LocalCertificates, authority: x509.Certificate,
                      names: Iterable[str], moment: datetime.datetime) -> bool:
    try:
        certificate = x509.load_pem_x509_certificate(certificates.server.read_bytes())
        key = serialization.load_pem_private_key(certificates.server_key.read_bytes(), None)
    except (OSError, ValueError, TypeError):
        return False
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return False
    if certificate.public_key() != key.public_key() or certificate.issuer != authority.subject:
        return False
    try:
        certificate.verify_directly_issued_by(authority)
    except (ValueError, TypeError, InvalidSignature):
        return False
    if certificate.not_valid_after_utc - RENEW_BEFORE < moment:
        return False
    return set(names) <= _covered_names(certificate)


def _covered_names(certificate: x509.Certificate) -> set[str]:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return set()
    names = set(extension.value.get_values_for_type(x509.DNSName))
    names.update(str(address) for address in extension.value.get_values_for_type(x509.IPAddress))
    return names


def _new_authority(moment: datetime.datetime) -> _Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "smsgui sandbox"),
        x509.NameAttribute(NameOID.COMMON_NAME,
                           f"smsgui sandbox local authority ({moment:%Y-%m-%d})"),
    ])
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - datetime.timedelta(hours=1))
        .not_valid_after(moment + datetime.timedelta(days=AUTHORITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _new_server_certificate(authority: _Authority, names: Iterable[str],
                            moment: datetime.datetime
                            ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    authority_certificate, authority_key = authority
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(authority_certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - datetime.timedelta(hours=1))
        .not_valid_after(moment + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            authority_key.public_key()), critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    return certificate, key


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not cert_sign, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False,
                         decipher_only=False)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _make_private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        folder.chmod(0o700)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    _write_whole(path, data, mode=0o600)


def _write_certificate(path: Path, *chain: x509.Certificate) -> None:
    data = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    _write_whole(path, data, mode=0o644)


def _write_whole(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` whole: a crash leaves the old file or none, never half of one."""
    partial = path.with_name(path.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.replace(partial, path)
