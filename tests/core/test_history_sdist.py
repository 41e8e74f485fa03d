"""The tests run from the source distribution, which ships tests/ but not bench/.

The history tests once imported their 100k-send fill from bench/ through pytest's ``pythonpath``
setting, so collection failed in an unpacked sdist. The fill now lives in tests/history_fill.py
and the benchmarks import it from there; this reads every test file (nothing is imported) and
fails when one reaches into bench/ again.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
TESTS = REPOSITORY / "tests"
BENCH = REPOSITORY / "bench"


def bench_modules(bench: Path = BENCH) -> set[str]:
    """The names a module in bench/ is imported by once bench/ is on ``sys.path``."""
    return {"bench", *(path.stem for path in bench.glob("*.py"))}


def own_modules(tests: Path = TESTS) -> set[str]:
    """Modules the tests may import by bare name: their own helpers (tests/history_fill.py)."""
    return {path.stem for path in tests.rglob("*.py")}


def reaches_into_bench(tree: ast.AST, bench: set[str], own: set[str]) -> Iterator[str]:
    """Each import of a bench module, and each ``sys.path`` change naming bench, in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and _changes_sys_path(node) and "bench" in ast.dump(node):
            yield f"line {node.lineno}: puts bench/ on sys.path"
            continue
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == "bench" or (top in bench and top not in own):
                yield f"line {node.lineno}: imports {name}"


def _changes_sys_path(call: ast.Call) -> bool:
    function = call.func
    return (isinstance(function, ast.Attribute) and function.attr in {"insert", "append"}
            and ast.unparse(function.value) == "sys.path")


def breaches(tests: Path, bench: Path) -> list[str]:
    found = []
    own = own_modules(tests)
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{path.relative_to(tests)} {where}"
                  for where in reaches_into_bench(tree, bench_modules(bench), own)]
    return found


def test_no_test_imports_from_bench() -> None:
    assert breaches(TESTS, BENCH) == []


def test_pytest_does_not_put_bench_on_the_path() -> None:
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    assert not [entry for entry in options.get("pythonpath", []) if "bench" in entry]
    shipped = config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    assert "tests" in shipped and "bench" not in shipped  # what makes this test matter


def test_the_benchmarks_find_the_fill_in_tests() -> None:
    assert (TESTS / "history_fill.py").is_file() and not (BENCH / "_history_fill.py").exists()
    for benchmark in ("history_search.py", "responsiveness.py"):
        text = (BENCH / benchmark).read_text(encoding="utf-8")
        assert "from history_fill import" in text and '/ "tests"' in text


@pytest.mark.parametrize(("source", "expected"), [
    ("from _history_fill import ROWS\n", ["x.py line 1: imports _history_fill"]),
    ("import bench.run\n", ["x.py line 1: imports bench.run"]),
    ("import sys\nsys.path.insert(0, str(ROOT / 'bench'))\n",
     ["x.py line 2: puts bench/ on sys.path"]),
    ("def later():\n    from _common import Results\n", ["x.py line 2: imports _common"]),
    ("from history_fill import ROWS\nfrom smsgui.core.api import decode\n", []),
    ("from . import _history_fill\n", []),  # relative: a module of the tests' own
])
def test_an_import_from_bench_is_named(tmp_path: Path, source: str,
                                       expected: list[str]) -> None:
    bench = tmp_path / "bench"
    tests = tmp_path / "tests"
    for folder, files in ((bench, ("_history_fill.py", "_common.py", "run.py")),
                          (tests, ("history_fill.py",))):
        folder.mkdir()
        for name in files:
            (folder / name).write_text("", encoding="utf-8")
    (tests / "x.py").write_text(source, encoding="utf-8")
    assert breaches(tests, bench) == expected
