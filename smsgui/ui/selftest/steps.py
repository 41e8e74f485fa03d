"""The default checks, in order: the real window sends through the built-in sandbox.

``DEFAULT_STEPS`` and ``DEFAULT_BUDGET_S`` are the one place that says what ``smsgui
--self-test`` and Help > Run self-test check and how long they may take; ``app.py`` hands them
to ``SelfTest``.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QPushButton

from smsgui.core.api.profiles import SANDBOX_PROFILE_NAME
from smsgui.core.privacy import mask_number
from smsgui.ui.main_window import SANDBOX_BADGE
from smsgui.ui.selftest.session import SelfTestCheckError, Session, Step, check
from smsgui.ui.selftest.widgets import amount, cell, decoded_cells, named, table_rows

SEND_TIMEOUT_S = 20.0
"""The longest the send may take; the sandbox answers in milliseconds."""
DEFAULT_BUDGET_S = 50.0
"""The longest a whole run may take; ``smsgui --self-test`` gives up then even if it hangs."""
RECIPIENTS = ("447700900000", "447700900029")
ACCEPTED_STATUS = "0 Success"
REFUSED_STATUS = "29 Non-Whitelisted Destination"
REFUSED_ENTRY = "status-29"
SENDER = "SelfTest"
MESSAGE = "smsgui self-test: nothing is really sent."


def start(session: Session) -> None:
    """Open the window on the built-in Sandbox profile and start the embedded sandbox."""
    window = session.open_window()
    services = session.built_services
    profiles = named(window, QComboBox, "Profile")
    index = profiles.findText(SANDBOX_PROFILE_NAME)
    check(index >= 0, f"there is no {SANDBOX_PROFILE_NAME!r} profile")
    profiles.setCurrentIndex(index)
    check(window.profile.is_builtin, f"the profile in use is {window.profile.name!r}")
    badge = named(window, QLabel, "Account badge")
    check(badge.isVisible() and badge.text() == SANDBOX_BADGE,
          f"the account badge says {badge.text()!r}, not {SANDBOX_BADGE!r}")
    url = services.sandbox.url()
    check(services.sandbox.running and url.startswith("http://127.0.0.1:"),
          f"the embedded sandbox is not running on loopback ({url})")


def compose(session: Session) -> None:
    """Fill From, To and Message the way a person (or a screen reader) finds them."""
    window = session.main
    named(window, QLineEdit, "From").setText(SENDER)
    named(window, QPlainTextEdit, "To").setPlainText("\n".join(RECIPIENTS))
    named(window, QPlainTextEdit, "Message text").setPlainText(MESSAGE)
    send_button = named(window, QPushButton, "Send")
    if not session.wait_until(send_button.isEnabled):
        raise SelfTestCheckError(f"Send stays disabled ({send_button.accessibleDescription()})")


def send(session: Session) -> None:
    """Click Send and wait, bounded, for both answers."""
    window = session.main
    cancel = named(window, QPushButton, "Cancel sending")
    named(window, QPushButton, "Send").click()
    session.no_problems()
    check(cancel.isEnabled(), "clicking Send started no send")
    if not session.wait_until(lambda: not cancel.isEnabled() or bool(session.prompter.problems)):
        window.cancel_sending()
        raise SelfTestCheckError(f"the send did not finish within {session.timeout_s:.0f} s")
    session.no_problems()
    rows = table_rows(window)
    check(len(rows) == len(RECIPIENTS),
          f"{len(rows)} result row(s) for {len(RECIPIENTS)} recipients")


def decode(session: Session) -> None:
    """One accepted part with price and balance, one refused with status 29."""
    services = session.built_services
    rows = table_rows(session.main)
    statuses = [cell(row, "Status") for row in rows]
    check(statuses == [ACCEPTED_STATUS, REFUSED_STATUS],
          f"the statuses were {statuses}, expected {[ACCEPTED_STATUS, REFUSED_STATUS]}")
    accepted, refused = rows
    price, balance = services.sandbox.config.price, services.sandbox.config.balance
    check(amount(cell(accepted, "Price")) == price,
          f"the price was {cell(accepted, 'Price')!r}, expected {price}")
    check(amount(cell(accepted, "Balance")) == balance - price,
          f"the balance was {cell(accepted, 'Balance')!r}, expected {balance - price}")
    check(cell(refused, "Price") == "" and cell(refused, "Balance") == "",
          "the refused message shows a price or balance")


def troubleshooting(session: Session) -> None:
    """The troubleshooting panel highlights the refused message's entry."""
    shown = session.main.troubleshooting.highlighted_id()
    check(shown == REFUSED_ENTRY, f"the highlighted entry was {shown!r}, "
                                  f"expected {REFUSED_ENTRY!r}")


def save(session: Session) -> None:
    window = session.main
    session.shown_rows = decoded_cells(window)
    window.save_file()
    session.no_problems()
    document = session.prompter.document
    check(document.is_file() and document.stat().st_size > 0,
          f"nothing was saved to {document.name}")


def reopen(session: Session) -> None:
    """Clear the results, open the saved file, and see the same rows and the same entry."""
    window = session.main
    window.show_exchanges([])
    window.troubleshooting.highlight("status-0")
    check(not table_rows(window), "the results were not cleared")
    window.open_file()
    session.no_problems()
    reopened = decoded_cells(window)
    check(reopened == session.shown_rows,
          f"the reopened rows differ: {reopened} instead of {session.shown_rows}")
    troubleshooting(session)


def summary(session: Session) -> None:
    """Open Copy diagnostic summary, click Copy, and find masked numbers on the clipboard."""
    window = session.main
    window.copy_summary()
    dialog = window.summary_dialog
    if dialog is None or not dialog.isVisible():
        raise SelfTestCheckError("the summary dialog did not open")
    check(named(dialog, QCheckBox, "Mask phone numbers").isChecked(),
          "phone numbers are not masked by default")
    named(dialog, QPushButton, "Copy to clipboard").click()
    copied = QGuiApplication.clipboard().text()
    session.copied.append(copied)
    check(not dialog.isVisible(), "the summary dialog stayed open after Copy")
    masked = mask_number(RECIPIENTS[1])
    check(masked in copied, f"the clipboard lacks the masked number {masked}")
    check(not any(number in copied for number in RECIPIENTS),
          "the clipboard holds a full phone number")
    check(REFUSED_STATUS.split(" ", 1)[1] in copied,
          "the clipboard summary does not name status 29")


def close(session: Session) -> None:
    """Close the window and its services; nothing may have gone wrong on the way."""
    check(session.window is not None, "the window is not open")
    check(session.tear_down(), "the window refused to close")
    session.no_problems()


DEFAULT_STEPS = (
    Step("start", start),
    Step("compose", compose),
    Step("send", send, timeout_s=SEND_TIMEOUT_S),
    Step("decode", decode),
    Step("troubleshooting", troubleshooting),
    Step("save", save),
    Step("reopen", reopen),
    Step("summary", summary),
    Step("close", close),
)
"""What ``smsgui --self-test`` and Help > Run self-test check, in order."""
