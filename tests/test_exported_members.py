"""Each public module's API is exactly what its ``__all__`` lists (httpx-style), derived, not copied.

Every module of ``src/kinetrace`` that declares ``__all__`` is found from the source (AST), and for
each: every listed name exists, is listed once, and is one of Kinetrace's own objects (not a
re-exported third-party one). The top-level package binds no public name it does not list, so a
new import in ``kinetrace/__init__`` is either exported or made private.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest

import kinetrace

SRC = Path(kinetrace.__file__).resolve().parent
#: Constants a module may expose besides its API (``__future__`` import, version string).
NOT_API = {"annotations", "__version__"}


def _modules_with_all() -> list[str]:
    names = []
    for path in sorted(SRC.rglob("*.py")):
        if "web" in path.relative_to(SRC).parts:  # the Django app has no Python API (it needs settings)
            continue
        tree = ast.parse(path.read_text())
        declares = any(
            isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            for node in tree.body
        )
        if declares:
            parts = path.relative_to(SRC.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules_with_all()


def _public_bindings(module: ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and name not in NOT_API and not inspect.ismodule(value)
    }


def test_the_public_modules_are_found() -> None:
    assert "kinetrace" in MODULES and "kinetrace.engine" in MODULES and len(MODULES) >= 5


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_existing_own_names_once(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported, name
    assert len(set(exported)) == len(exported), f"{name}.__all__ lists a name twice"
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ lists {attr!r}, which {name} does not define"
        value = getattr(module, attr)
        if inspect.isclass(value) or inspect.isfunction(value):  # (type aliases and constants carry no owner)
            assert value.__module__.startswith("kinetrace."), f"{name}.{attr} comes from {value.__module__}"


def test_the_top_level_package_binds_no_public_name_it_does_not_export() -> None:
    assert _public_bindings(kinetrace) == set(kinetrace.__all__)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from kinetrace import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(kinetrace.__all__)
