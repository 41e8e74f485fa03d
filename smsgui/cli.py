"""The ``smsgui`` command: no arguments opens the window; ``decode`` and ``check`` print."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from smsgui import __version__

if TYPE_CHECKING:
    from smsgui.core.api.apitypes import SmsOptions
    from smsgui.core.delivery.exchange import Exchange
    from smsgui.core.report.summary import SummaryOptions

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2


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
    sandbox.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
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
                         help="starting balance in EUR")
    sandbox.add_argument("--price", type=_euros, default=config.DEFAULT_PRICE,
                         help="price of one SMS part in EUR")
    sandbox.add_argument("--rate-limit", type=_positive, default=config.DEFAULT_RATE_LIMIT,
                         help="requests per second before status 1 (Throttled)")
    sandbox.add_argument("--demo-mode", action="store_true",
                         help="refuse numbers outside --whitelist with status 29")
    sandbox.add_argument("--whitelist", default="", metavar="N,N...",
                         help="numbers a demo-mode account may send to")
    sandbox.add_argument("--dlr-delay", type=float, default=config.DEFAULT_DLR_DELAY,
                         metavar="SECONDS", help="wait before each delivery receipt")
    sandbox.add_argument("--dlr-url", default=None, metavar="URL",
                         help="where receipts go when a request has no callback")
    sandbox.add_argument("--latency", type=_latency, default=0.0, metavar="SECONDS",
                         help="wait before every answer, like a slow network")


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
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        # Python would report the closed pipe again while flushing at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


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

    try:
        if arguments.source == "-":
            documents = parse_documents(stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
                                        if hasattr(stdin, "buffer")
                                        else stdin.read(MAX_DOCUMENT_BYTES + 1))
        else:
            documents = load_documents(Path(arguments.source))
    except DocumentError as error:
        print(f"smsgui decode: {error}", file=stderr)
        return EXIT_UNUSABLE
    exchanges = [exchange_from_document(document) for document in documents]
    if len(exchanges) == 1 and _unusable(exchanges[0]):
        print(f"smsgui decode: {exchanges[0].headline}", file=stderr)
        return EXIT_UNUSABLE
    if len(exchanges) > 1:
        _write(stdout, _batch_text(exchanges, arguments))
    else:
        _write(stdout, _single_text(exchanges[0], arguments))
    return EXIT_OK if all(exchange.ok for exchange in exchanges) else EXIT_FAILED


def _unusable(exchange: Exchange) -> bool:
    """Input that is no answer at all: not an error object, and no failure the send recorded."""
    from smsgui.core.api.decode import Unreadable

    return (isinstance(exchange.decoded, Unreadable) and exchange.document.failure is None
            and exchange.decoded.entry.id != "response-error-object")


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
    """A request that got no usable answer (a saved transport failure)."""
    verdict = exchange.verdict
    return {"kind": "no-answer", "ok": verdict.ok, "verdict": str(verdict.label),
            "headline": verdict.headline, "entry": verdict.entry.id,
            "next_step": verdict.entry.next_steps[0],
            "may_have_been_sent": exchange.may_have_been_sent}


def _summary_options(arguments: argparse.Namespace) -> SummaryOptions:
    from smsgui.core.report.summary import SummaryOptions

    return SummaryOptions(markdown=arguments.markdown, mask_numbers=not arguments.show_numbers,
                          include_text=arguments.include_text)


def _json_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def run_check(arguments: argparse.Namespace, stdin: TextIO, stdout: TextIO,
              stderr: TextIO) -> int:
    from smsgui.core.checks.checks import Draft, check_draft, split_recipients, without_findings
    from smsgui.core.report.export import check_report_as_json
    from smsgui.core.report.summary import describe_checks

    region = arguments.region.upper() if arguments.region else None
    if region is not None and not _is_known_region(region):
        print(f"smsgui check: {arguments.region!r} is not a country code such as GB or US.",
              file=stderr)
        return EXIT_UNUSABLE
    text = stdin.read() if arguments.text == "-" else arguments.text
    recipients = tuple(number for raw in arguments.to for number in split_recipients(raw))
    draft = Draft(recipients=recipients, sender=arguments.sender,
                  text=text.removesuffix("\n") if arguments.text == "-" else text,
                  message_type=arguments.message_type, default_region=region,
                  status_report_req=(None if arguments.status_report_req is None
                                     else arguments.status_report_req == "true"),
                  options=_options(arguments))
    # Leaving out --to or --from means "check the rest", not "there is no recipient".
    not_asked = {"check-to-missing"} if not arguments.to else set()
    if not arguments.sender:
        not_asked.add("check-from-missing")
    report = without_findings(check_draft(draft), not_asked)
    if arguments.json:
        payload: dict[str, Any] = check_report_as_json(report, arguments.sender)
        _write(stdout, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        _write(stdout, describe_checks(report))
    return EXIT_FAILED if report.blocking else EXIT_OK


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
    try:
        return serve(config, arguments.host, arguments.port)
    except OSError as error:
        print(f"smsgui sandbox: cannot listen on {arguments.host}:{arguments.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return EXIT_UNUSABLE


def _euros(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount such as 10.00") from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount such as 10.00")
    return amount


def _latency(text: str) -> float:
    from smsgui.sandbox.config import MAX_LATENCY

    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_LATENCY:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds from 0 to {MAX_LATENCY:.0f}")
    return seconds


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def _is_known_region(region: str) -> bool:
    import phonenumbers

    return region in phonenumbers.SUPPORTED_REGIONS
