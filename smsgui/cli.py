"""The ``smsgui`` command: no arguments opens the window; ``decode`` and ``check`` print."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import re
import socket
import sys
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from smsgui import APP_NAME, __version__

if TYPE_CHECKING:
    from smsgui.core.api.apitypes import SmsOptions
    from smsgui.core.checks.checks import CheckReport
    from smsgui.core.delivery.exchange import Exchange
    from smsgui.core.reference.knowledge import KnowledgeBase
    from smsgui.core.report.summary import SummaryOptions
    from smsgui.sandbox.tls import LocalCertificates

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2
MAX_PORT = 65535
_ANY_PORT = "choose another --port, or --port 0 for any free one"
_UNUSABLE_NEXT_STEP = ("Give it an SMS API answer (the JSON text from { to }), a delivery receipt "
                       "or a file saved by smsgui.")
# Python hands over argv bytes that are not UTF-8 as these lone surrogates (PEP 383).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
# Characters a terminal acts on rather than shows (cursor moves, colours, titles, bidirectional
# overrides): output shows them escaped, so a hostile answer cannot rewrite the screen.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smsgui",
        description="Send test SMS through the Vonage SMS API and understand what happened. "
                    "Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"smsgui {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="send through the window to the built-in sandbox in a throwaway "
                             "folder and check the result; exit 0 passed, 1 failed")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    decode = commands.add_parser(
        "decode", help="explain a saved document, an API response body or a delivery receipt",
        description="Print a diagnostic summary. Exit status: 0 every part accepted (a receipt: "
                    "delivered or still on its way), 1 a failure, 2 unreadable input.",
    )
    style = decode.add_mutually_exclusive_group()
    style.add_argument("--json", action="store_true", help="print one JSON object")
    style.add_argument("--markdown", action="store_true", help="print Markdown")
    decode.add_argument("--show-numbers", action="store_true",
                        help="print phone numbers in full (masked by default)")
    decode.add_argument("--include-text", action="store_true",
                        help="include the message text when the document has it")
    decode.add_argument("source", metavar="FILE", help="a file, or - for standard input")

    check = commands.add_parser(
        "check", help="run the pre-send checks on a message",
        description="Exit status: 0 no blocking finding, 1 a blocking finding, 2 bad usage.",
    )
    check.add_argument("--to", action="append", default=[], metavar="NUMBER",
                       help="a recipient; repeat for several")
    check.add_argument("--from", dest="sender", default="", metavar="SENDER",
                       help="the sender ID: a number or up to 11 letters and digits")
    check.add_argument("--region", default=None, metavar="CC",
                       help="country for numbers written without a country code, e.g. GB")
    check.add_argument("--type", dest="message_type",
                       choices=("auto", "text", "unicode", "binary"),
                       default="auto", help="message type (default: auto)")
    check.add_argument("--api", choices=("sms", "messages"), default="sms",
                       help="the API that would send it: the SMS API (default) or the "
                            "Messages API, whose limits differ")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    _add_advanced_arguments(check)
    check.add_argument("text", metavar="TEXT",
                       help="the message text, or - for standard input (\"\" for binary)")
    _add_sandbox_command(commands)
    return parser


def _add_advanced_arguments(check: argparse.ArgumentParser) -> None:
    """The SMS API's advanced parameters, under their API names."""
    advanced = check.add_argument_group("advanced parameters (SMS API 1.5.1)")
    advanced.add_argument("--entity-id", metavar="ID",
                          help="regulatory entity ID (India DLT: 19 digits)")
    advanced.add_argument("--content-id", metavar="ID",
                          help="regulatory content template ID (India DLT: 19 digits)")
    advanced.add_argument("--body", metavar="HEX", help="binary content, with --type binary")
    advanced.add_argument("--udh", metavar="HEX", help="user data header, with --type binary")
    advanced.add_argument("--protocol-id", type=int, metavar="N", help="protocol ID, 0-255")
    advanced.add_argument("--message-class", type=int, metavar="N", help="message class, 0-3")
    advanced.add_argument("--account-ref", metavar="REF", help="billing account reference")
    advanced.add_argument("--pool-id", metavar="ID", help="number pool to send from")
    advanced.add_argument("--trusted-number", action="store_true",
                          help="skip Fraud Defender's rules (Fraud Defender Premium only)")
    advanced.add_argument("--status-report-req", choices=("true", "false"), default=None,
                          help="ask for a delivery receipt, or not")


def _add_sandbox_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from smsgui.core.api.signing import SignatureMethod
    from smsgui.sandbox import config

    sandbox = commands.add_parser(
        "sandbox", help="serve a local stand-in for the Vonage SMS API",
        description="Serve the SMS, Account and Reports APIs on loopback until Ctrl-C. "
                    "Prints one line: 'Sandbox listening on http://HOST:PORT'.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    sandbox.add_argument("--host", default="127.0.0.1",
                         help="address to bind; anything but loopback exposes the sandbox")
    sandbox.add_argument("--port", type=_port, default=0,
                         help=f"port to bind, 0 to {MAX_PORT}; 0 picks a free one")
    sandbox.add_argument("--api-key", default=config.DEFAULT_API_KEY,
                         help="the API key the sandbox accepts")
    sandbox.add_argument("--api-secret", default=config.DEFAULT_API_SECRET,
                         help="the API secret the sandbox accepts (a public test value)")
    sandbox.add_argument("--signature-secret", default=config.DEFAULT_SIGNATURE_SECRET,
                         help="the secret signed requests are checked with")
    sandbox.add_argument("--signature-method", default=SignatureMethod.MD5_HASH.value,
                         choices=[method.value for method in SignatureMethod],
                         help="how signed requests are hashed")
    sandbox.add_argument("--balance", type=_euros, default=config.DEFAULT_BALANCE,
                         help=f"starting balance in EUR, 0 to {config.MAX_AMOUNT}")
    sandbox.add_argument("--price", type=_euros, default=config.DEFAULT_PRICE,
                         help="price of one SMS part in EUR, to 8 decimal places")
    sandbox.add_argument("--rate-limit", type=_rate_limit, default=config.DEFAULT_RATE_LIMIT,
                         help="requests per second before status 1 (Throttled), 1 to "
                              f"{config.MAX_RATE_LIMIT}")
    sandbox.add_argument("--demo-mode", action="store_true",
                         help="refuse numbers outside --whitelist with status 29")
    sandbox.add_argument("--whitelist", default="", metavar="N,N...",
                         help="numbers a demo-mode account may send to")
    sandbox.add_argument("--dlr-delay", type=_dlr_delay, default=config.DEFAULT_DLR_DELAY,
                         metavar="SECONDS",
                         help=f"wait before each delivery receipt, 0 to {config.MAX_DLR_DELAY:.0f}")
    sandbox.add_argument("--dlr-url", default=None, metavar="URL",
                         help="where receipts go when a request has no callback")
    sandbox.add_argument("--latency", type=_latency, default=0.0, metavar="SECONDS",
                         help="wait before every answer, like a slow network")
    sandbox.add_argument("--tls", action="store_true",
                         help="serve HTTPS with a certificate from a local authority, made once "
                              "in smsgui's data folder; prints the file clients must trust")


def main(argv: Sequence[str] | None = None) -> int:
    _never_fail_on_output_encoding()
    if not (sys.argv[1:] if argv is None else argv):
        return _open_window()  # the common case skips building the parser (~10 ms)
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.self_test:
        if arguments.command is not None:
            parser.error("--self-test cannot be combined with a command")
        from smsgui.ui.app import default_self_test  # Qt only loads when the window is wanted

        return default_self_test().run_cli()
    if arguments.command == "decode":
        return run_decode(arguments, sys.stdin, sys.stdout, sys.stderr)
    if arguments.command == "check":
        return run_check(arguments, sys.stdin, sys.stdout, sys.stderr)
    if arguments.command == "sandbox":
        return run_sandbox(arguments)
    return _open_window()


def _open_window() -> int:
    from smsgui.ui.app import run_app  # Qt is imported only when the window is wanted

    return run_app()


def _write(stream: TextIO, text: str) -> None:
    """Write the result; a reader that went away (``| head``, ``| grep -q``) is not an error."""
    try:
        stream.write(_TERMINAL_CONTROLS.sub(_escaped, text))
        stream.flush()
    except BrokenPipeError:
        # Python would report the closed pipe again while flushing at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def _escaped(match: re.Match[str]) -> str:
    """A control character as an escape, ``\\x1b`` or ``\\u202e``.

    JSON output never holds a raw control character below DEL (``json.dumps`` escapes them), and
    the ``\\u`` form of the others is the same character inside a JSON string.
    """
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x7F else f"\\u{code:04x}"


def _complain(stderr: TextIO, command: str, message: str) -> None:
    """The one line on stderr that says why a command could not do its work."""
    print(f"smsgui {command}: {_TERMINAL_CONTROLS.sub(_escaped, message)}", file=stderr)


def _never_fail_on_output_encoding() -> None:
    # A console or pipe that cannot show a character (cp1252 on Windows) must not turn a
    # summary into a traceback; a replacement character is the lesser evil.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def run_decode(arguments: argparse.Namespace, stdin: TextIO, stdout: TextIO,
               stderr: TextIO) -> int:
    from smsgui.core.api.documents import (
        MAX_DOCUMENT_BYTES,
        DocumentError,
        load_documents,
        parse_documents,
    )
    from smsgui.core.delivery.exchange import exchange_from_document
    from smsgui.core.reference.knowledge import default_knowledge_base

    try:
        if arguments.source == "-":
            documents = parse_documents(stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
                                        if hasattr(stdin, "buffer")
                                        else stdin.read(MAX_DOCUMENT_BYTES + 1))
        else:
            documents = load_documents(Path(arguments.source))
    except DocumentError as error:
        _complain(stderr, "decode", str(error))
        return EXIT_UNUSABLE
    knowledge = default_knowledge_base()
    exchanges = [exchange_from_document(document, knowledge) for document in documents]
    if len(exchanges) == 1 and _unusable(exchanges[0], knowledge):
        _complain(stderr, "decode", f"{exchanges[0].headline} {_UNUSABLE_NEXT_STEP}")
        return EXIT_UNUSABLE
    if len(exchanges) > 1:
        _write(stdout, _batch_text(exchanges, arguments))
    else:
        _write(stdout, _single_text(exchanges[0], arguments))
    return EXIT_OK if all(exchange.ok for exchange in exchanges) else EXIT_FAILED


def _unusable(exchange: Exchange, knowledge: KnowledgeBase) -> bool:
    """Input that is no answer at all: not an error object (an SMS API one or a Messages API
    problem document), and no failure the send recorded."""
    from smsgui.core.api.decode import Unreadable
    from smsgui.core.delivery.exchange import saved_failure
    from smsgui.core.reference.knowledge import Kind

    return (isinstance(exchange.decoded, Unreadable)
            and saved_failure(exchange.document, knowledge) is None
            and exchange.decoded.entry.id != "response-error-object"
            and exchange.decoded.entry.kind is not Kind.MESSAGES_ERROR)


def _single_text(exchange: Exchange, arguments: argparse.Namespace) -> str:
    from smsgui.core.report.export import decoded_as_json
    from smsgui.core.report.summary import build_batch_summary, build_summary, context_for_document

    decoded = exchange.decoded
    if arguments.json:
        if decoded is None:
            return _json_text(_unanswered_json(exchange))
        return _json_text(decoded_as_json(decoded, exchange.receipts, exchange.verdict))
    options = _summary_options(arguments)
    if exchange.unanswered or decoded is None:
        return build_batch_summary([exchange], options)
    from smsgui.core.delivery.destination import destination_notes

    context = replace(context_for_document(exchange.document, exchange.receipts),
                      notes=destination_notes(exchange))
    return build_summary(decoded, context, options)


def _batch_text(exchanges: Sequence[Exchange], arguments: argparse.Namespace) -> str:
    from smsgui.core.delivery.verdict import send_verdict
    from smsgui.core.report.export import decoded_as_json
    from smsgui.core.report.summary import build_batch_summary

    if not arguments.json:
        return build_batch_summary(exchanges, _summary_options(arguments))
    verdict = send_verdict([exchange.verdict for exchange in exchanges])
    return _json_text({"kind": "batch", "ok": verdict.ok, "verdict": str(verdict.label),
                       "headline": verdict.headline, "entry": verdict.entry.id,
                       "documents": [
                           decoded_as_json(e.decoded, e.receipts, e.verdict)
                           if e.decoded is not None else _unanswered_json(e)
                           for e in exchanges]})


def _unanswered_json(exchange: Exchange) -> dict[str, Any]:
    """A request that got no usable answer (a saved transport failure).

    It has the keys of every other answer, so a script reading ``parts`` or ``total_price``
    works whatever came back; with no answer there is no price or balance to give.
    """
    from smsgui.core.values import CURRENCY

    verdict = exchange.verdict
    return {"kind": "no-answer", "ok": verdict.ok, "verdict": str(verdict.label),
            "headline": verdict.headline, "entry": verdict.entry.id,
            "meaning": verdict.entry.meaning, "next_step": verdict.entry.next_steps[0],
            "may_have_been_sent": exchange.may_have_been_sent, "notes": [], "parts": 0,
            "accepted": verdict.accepted, "failed": verdict.failed, "total_price": None,
            "currency": CURRENCY, "remaining_balance": None, "throttle_wait_ms": None,
            "messages": []}


def _summary_options(arguments: argparse.Namespace) -> SummaryOptions:
    from smsgui.core.report.summary import SummaryOptions

    return SummaryOptions(markdown=arguments.markdown, mask_numbers=not arguments.show_numbers,
                          include_text=arguments.include_text)


def _json_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def run_check(arguments: argparse.Namespace, stdin: TextIO, stdout: TextIO,
              stderr: TextIO) -> int:
    from smsgui.core.checks.checks import Draft, check_draft, split_recipients
    from smsgui.core.report.export import check_report_as_json
    from smsgui.core.report.summary import describe_checks

    region = arguments.region.upper() if arguments.region else None
    if region is not None and not _is_known_region(region):
        _complain(stderr, "check", f"{arguments.region!r} is not a country code such as GB or US.")
        return EXIT_UNUSABLE
    text, problem = _message_text(arguments.text, stdin)
    if problem is not None:
        _complain(stderr, "check", problem)
        return EXIT_UNUSABLE
    recipients = tuple(number for raw in arguments.to for number in split_recipients(raw))
    draft = Draft(recipients=recipients, sender=arguments.sender, text=text,
                  message_type=arguments.message_type, default_region=region,
                  status_report_req=(None if arguments.status_report_req is None
                                     else arguments.status_report_req == "true"),
                  options=_options(arguments),
                  via_messages_api=arguments.api == "messages")
    # No --to or --from is a draft without them, as the compose form would see it: not ready.
    report = check_draft(draft)
    if arguments.json:
        payload: dict[str, Any] = check_report_as_json(report, arguments.sender)
        _write(stdout, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        _write(stdout, describe_checks(report) + _missing_hint(report))
    return EXIT_FAILED if report.blocking else EXIT_OK


def _message_text(argument: str, stdin: TextIO) -> tuple[str, str | None]:
    """The text to check, and None; or "" and why it cannot be checked."""
    if argument != "-":
        if _ESCAPED_BYTE.search(argument):
            return "", ("TEXT is not UTF-8 text, so which characters would be sent is unknown; "
                        "set the terminal to UTF-8, or save the text as UTF-8 and give it on "
                        "standard input (-).")
        return argument, None
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:  # already text, as in an embedding that replaced sys.stdin
        return stdin.read().removesuffix("\n"), None
    return _standard_input_text(buffer.read(), getattr(stdin, "encoding", None))


def _standard_input_text(raw: bytes, console_encoding: str | None) -> tuple[str, str | None]:
    """Standard input as text: UTF-8 (a byte-order mark is fine), UTF-16 with a mark, or else
    the console's own encoding (a Windows code page), as Python itself would have read it."""
    from smsgui.core.api.decode import binary_kind
    from smsgui.core.values import bytes_to_text

    text, clean = bytes_to_text(raw)
    kind = binary_kind(text)
    if kind is not None:
        return "", (f"standard input holds {kind}, not message text; give the text itself, "
                    "or for a binary SMS use --type binary with --body HEX.")
    if not clean:
        try:
            text = raw.decode(console_encoding or "utf-8")
        except (UnicodeDecodeError, LookupError):
            return "", ("standard input is not UTF-8 text, so which characters would be sent "
                        "is unknown; save it as UTF-8 and try again.")
    return text.removesuffix("\n"), None


def _missing_hint(report: CheckReport) -> str:
    """How to give what the command line left out, in its own terms."""
    missing = {finding.entry_id for finding in report.findings}
    if "check-to-missing" in missing and "check-from-missing" in missing:
        return "Give the recipients with --to NUMBER and the sender with --from SENDER.\n"
    if "check-to-missing" in missing:
        return "Give the recipients with --to NUMBER.\n"
    if "check-from-missing" in missing:
        return "Give the sender with --from SENDER.\n"
    return ""


def _options(arguments: argparse.Namespace) -> SmsOptions:
    from smsgui.core.api.apitypes import SmsOptions

    return SmsOptions(
        message_class=arguments.message_class, body=arguments.body, udh=arguments.udh,
        protocol_id=arguments.protocol_id, account_ref=arguments.account_ref,
        entity_id=arguments.entity_id, content_id=arguments.content_id,
        trusted_number=True if arguments.trusted_number else None, pool_id=arguments.pool_id)


def run_sandbox(arguments: argparse.Namespace) -> int:
    from smsgui.core.api.signing import SignatureMethod
    from smsgui.sandbox.command import serve
    from smsgui.sandbox.config import SandboxConfig

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    config = SandboxConfig(
        api_key=arguments.api_key, api_secret=arguments.api_secret,
        signature_secret=arguments.signature_secret,
        signature_method=SignatureMethod(arguments.signature_method),
        balance=arguments.balance, price=arguments.price, rate_limit=arguments.rate_limit,
        demo_mode=arguments.demo_mode,
        whitelist=tuple(n.strip() for n in arguments.whitelist.split(",") if n.strip()),
        dlr_delay=arguments.dlr_delay, dlr_url=arguments.dlr_url, latency=arguments.latency,
    )
    certificates = None
    if arguments.tls:
        certificates = _sandbox_certificates(arguments.host)
        if certificates is None:
            return EXIT_UNUSABLE
    try:
        return serve(config, arguments.host, arguments.port, certificates=certificates)
    except OSError as error:
        problem = _listen_problem(error, arguments.host, arguments.port)
        _complain(sys.stderr, "sandbox",
                  f"cannot listen on {arguments.host}:{arguments.port}: {problem}")
        return EXIT_UNUSABLE


def _sandbox_certificates(host: str) -> LocalCertificates | None:
    """The sandbox's HTTPS certificates, made on first use; None (after saying why) if not."""
    import platformdirs

    from smsgui.sandbox.tls import FOLDER_NAME, ensure_certificates

    folder = platformdirs.user_data_path(APP_NAME, appauthor=False) / FOLDER_NAME
    try:
        return ensure_certificates(folder, host)
    except OSError as error:
        _complain(sys.stderr, "sandbox",
                  f"cannot keep the HTTPS certificates in {folder}: "
                  f"{error.strerror or error}; check that this folder can be written, or run "
                  "without --tls.")
        return None


def _listen_problem(error: OSError, host: str, port: int) -> str:
    """Why the sandbox could not listen, and what to do instead."""
    if isinstance(error, socket.gaierror):
        return (f"{host!r} is not an address or host name this computer can use; "
                "use --host 127.0.0.1, or an address of this computer.")
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use, probably by another sandbox or "
                f"server; stop it, or {_ANY_PORT}.")
    if error.errno == errno.EACCES:
        return (f"this user may not listen on port {port} (ports below 1024 usually need "
                f"administrator rights); {_ANY_PORT}.")
    if error.errno == errno.EADDRNOTAVAIL:
        return (f"{host} is not an address of this computer; use --host 127.0.0.1, or an "
                "address this computer has.")
    return f"{error.strerror or error}; choose another --host or --port."


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: use a whole number from 0 to {MAX_PORT} "
            "(0 picks any free port)")
    return int(text)


def _euros(text: str) -> Decimal:
    """An amount of EUR the sandbox can hold and show, to the API's 8 decimal places."""
    from smsgui.sandbox.config import MAX_AMOUNT

    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an amount from 0 to {MAX_AMOUNT} EUR, such as 10.00")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -8:
        raise argparse.ArgumentTypeError(
            f"{text!r} has more than 8 decimal places; the API gives amounts to 8")
    return amount


def _seconds(text: str, limit: float) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= limit:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds from 0 to {limit:.0f}")
    return seconds


def _latency(text: str) -> float:
    from smsgui.sandbox.config import MAX_LATENCY

    return _seconds(text, MAX_LATENCY)


def _dlr_delay(text: str) -> float:
    from smsgui.sandbox.config import MAX_DLR_DELAY

    return _seconds(text, MAX_DLR_DELAY)


def _rate_limit(text: str) -> int:
    from smsgui.sandbox.config import MAX_RATE_LIMIT

    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_RATE_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number from 1 to {MAX_RATE_LIMIT}")
    return int(text)


def _is_known_region(region: str) -> bool:
    import phonenumbers

    return region in phonenumbers.SUPPORTED_REGIONS
