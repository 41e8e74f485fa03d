"""Background jobs: the network runs here, never on the UI thread.

Each job is a QRunnable whose signals live on a small QObject created on the UI thread, so the
connected slots run there. A job reports exactly one final value through ``finished``; an
unexpected exception is logged and reported as a ``JobFailure`` value: exceptions never cross
threads.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal

from smsgui.core.api.secrets import SecretProblem

if TYPE_CHECKING:  # the HTTP stack loads on the first send, not with the window
    from smsgui.core.api.client import ApiOutcome, SmsApiClient
    from smsgui.core.checks.sending import BatchPlan, BatchResult, BatchRunner

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobFailure:
    """A job died of an unexpected error; ``detail`` is for the log and the details dialog."""

    headline: str
    detail: str


class JobSignals(QObject):
    progressed = Signal(int, object)  # index, ApiOutcome
    retrying = Signal(int, float)  # index, seconds to wait before sending a throttled one again
    finished = Signal(object)  # the job's one result value, or a JobFailure


class _Job(QRunnable):
    def __init__(self) -> None:
        super().__init__()
        # The window keeps a Python reference until `finished`; Qt must not delete it first.
        self.setAutoDelete(False)
        self.signals = JobSignals()

    def run(self) -> None:
        try:
            result: object = self.work()
        except Exception as error:  # the last resort: report, never raise into Qt
            logger.exception("A background job failed")
            result = JobFailure(
                headline=f"Something went wrong inside smsgui ({type(error).__name__}).",
                detail="".join(traceback.format_exception(error)),
            )
        self.signals.finished.emit(result)

    def work(self) -> object:
        raise NotImplementedError


ClientFactory = Callable[[], "SmsApiClient | SecretProblem"]


class SendJob(_Job):
    """Sends a batch plan; reports each recipient's outcome, then the BatchResult.

    ``retrying`` says when a message whose first answer was throttled will be sent once more,
    and after how long a wait; its one outcome follows through ``progressed`` as usual.
    The client is made on the worker thread: looking secrets up in the keyring can wait for an
    unlock prompt. When no client can be made, the job's result is the SecretProblem saying why.
    """

    def __init__(self, plan: BatchPlan, make_client: ClientFactory,
                 runner: BatchRunner | None = None) -> None:
        super().__init__()
        self._plan = plan
        self._make_client = make_client
        if runner is None:
            from smsgui.core.checks.sending import BatchRunner

            runner = BatchRunner()
        self._runner = runner
        self._cancelled = threading.Event()

    @property
    def plan(self) -> BatchPlan:
        """What this job sends; ``plan.remaining(result)`` resumes it after a cancel."""
        return self._plan

    def cancel(self) -> None:
        """Drop the recipients not yet started; the request in flight is never resent."""
        self._cancelled.set()

    def work(self) -> BatchResult | SecretProblem:
        client = self._make_client()
        if isinstance(client, SecretProblem):
            return client
        return self._runner.run(self._plan, client.send, self._report, self._cancelled.is_set,
                                on_retry=self._report_retry)

    def _report(self, index: int, outcome: ApiOutcome) -> None:
        self.signals.progressed.emit(index, outcome)

    def _report_retry(self, index: int, wait_s: float) -> None:
        self.signals.retrying.emit(index, wait_s)


class CallJob(_Job):
    """Runs one call, such as a balance check, and reports its value."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__()
        self._call = call

    def work(self) -> object:
        return self._call()
