"""The self-test: the real window sends through the built-in sandbox in a throwaway folder.

``smsgui --self-test`` (``SelfTest.run_cli``) and Help > Run self-test
(``SelfTest.run_in_window``) run the same steps. What runs is data: ``SelfTest(steps, budget_s,
make_services)``, put together by the composition root (``app.default_self_test``) from
``DEFAULT_STEPS`` and ``DEFAULT_BUDGET_S``, so this package imports neither ``app`` nor anything
that imports it. Every wait has a timeout.

- ``report``: ``StepResult`` and ``SelfTestReport``, what a run found.
- ``session``: ``Step`` and the ``Session`` steps work on (window, throwaway services, prompter).
- ``widgets``: reading the window by accessible name.
- ``steps``: the default checks.
- ``runner``: ``SelfTest``, which runs steps in a temporary folder within a time budget.
"""

from smsgui.ui.selftest.report import SelfTestReport, StepResult
from smsgui.ui.selftest.runner import VERBOSE_VARIABLE, SelfTest
from smsgui.ui.selftest.session import (
    SelfTestCheckError,
    ServicesFactory,
    Session,
    Step,
    check,
)
from smsgui.ui.selftest.steps import DEFAULT_BUDGET_S, DEFAULT_STEPS

__all__ = [
    "DEFAULT_BUDGET_S",
    "DEFAULT_STEPS",
    "VERBOSE_VARIABLE",
    "SelfTest",
    "SelfTestCheckError",
    "SelfTestReport",
    "ServicesFactory",
    "Session",
    "Step",
    "StepResult",
    "check",
]
