"""What a self-test run found: one result per step, and the report a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StepResult:
    """One step: its short name, whether it passed, why not, and how long it took."""

    name: str
    passed: bool
    reason: str = ""
    seconds: float = 0.0
    details: str = field(default="", repr=False)
    """The traceback of an unexpected error, for support; empty otherwise."""


@dataclass(frozen=True)
class SelfTestReport:
    """What a self-test run found. Steps after a failed one did not run and are not listed."""

    steps: tuple[StepResult, ...]
    seconds: float
    log_text: str = field(default="", repr=False)
    """``smsgui --self-test`` only: the throwaway log, read before it was deleted."""

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(step.passed for step in self.steps)

    @property
    def failure(self) -> StepResult | None:
        return next((step for step in self.steps if not step.passed), None)

    @property
    def summary(self) -> str:
        """One line: 'smsgui self-test passed: ...' or 'smsgui self-test failed: step: reason'."""
        failure = self.failure
        if failure is not None:
            return f"smsgui self-test failed: {failure.name}: {failure.reason}"
        if not self.steps:
            return "smsgui self-test failed: start: no step ran"
        return f"smsgui self-test passed: {len(self.steps)} checks in {self.seconds:.1f} s"

    def describe(self) -> str:
        """The summary, then one line per step, e.g. for a message box's details."""
        lines = [self.summary, ""]
        for step in self.steps:
            mark = "passed" if step.passed else f"FAILED: {step.reason}"
            lines.append(f"{step.name}: {mark} ({step.seconds:.2f} s)")
        return "\n".join(lines)
