"""The test suites' own layout: shared helpers live in helper modules, not in test modules.

A test module that imports another one runs (and collects) it twice and ties the two together;
a conftest imported as a module is a second copy of its fixtures' state. Ruff's banned-api rule
matches module prefixes, not patterns such as ``tests.test_*``, so this test is the check.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SUITES = ("tests", "sim/tests", "demo/tests")
PACKAGES = tuple(suite.replace("/", ".") + "." for suite in SUITES)


def _is_test_module(name: str) -> bool:
    """A test module or conftest of one of the suites (``aiohttp.test_utils`` is not)."""
    last = name.rsplit(".", 1)[-1]
    return name.startswith(PACKAGES) and (last.startswith("test_") or last == "conftest")


def imported_modules(source: str, package: tuple[str, ...]) -> list[str]:
    """Every module ``source`` imports, relative imports resolved against ``package``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *filter(None, [node.module])])
            found.append(module)
            # "from . import test_x" imports a module, not a name of one
            found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def offending_imports(path: Path) -> list[str]:
    """The test modules and conftests that the module at ``path`` imports."""
    package = path.relative_to(REPO).parent.parts
    modules = imported_modules(path.read_text(encoding="utf-8"), package)
    return [name for name in modules if _is_test_module(name)]


@pytest.mark.parametrize("suite", SUITES)
def test_no_test_module_imports_another(suite: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): found
        for path in sorted((REPO / suite).rglob("*.py"))
        if (found := offending_imports(path))
    }
    assert offenders == {}


def test_the_check_sees_each_form_of_import() -> None:
    source = (
        "import tests.test_init\n"
        "from tests.conftest import fleet\n"
        "from ..test_climate import call\n"
        "from .. import test_accounting\n"
        "from . import site\n"
        "from sim.tests.helpers import REBOOT\n"
        "from aiohttp.test_utils import TestClient\n"
    )
    found = imported_modules(source, ("tests", "helpers"))
    assert [name for name in found if _is_test_module(name)] == [
        "tests.test_init",
        "tests.conftest",
        "tests.test_climate",
        "tests.test_accounting",
    ]
