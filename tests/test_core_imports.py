"""The core never imports the CLI, web, video or report layers (architecture rule)."""

from __future__ import annotations

import subprocess
import sys

BLOCKED = ["django", "typer", "rich", "mediapipe", "cv2", "weasyprint", "matplotlib", "ninja"]
CORE_MODULES = [
    "kinetrace",
    "kinetrace.case",
    "kinetrace.knowledge",
    "kinetrace.scoring",
    "kinetrace.analysis",
    "kinetrace.presentation",
    "kinetrace.timeline",
]

SCRIPT = """
import importlib.abc, sys
BLOCKED = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ImportError('core must not import ' + name)
        return None
sys.meta_path.insert(0, Block())
import importlib
for mod in {modules!r}:
    importlib.import_module(mod)
for optional in ("kinetrace.engine", "kinetrace.simulate"):
    try:
        importlib.import_module(optional)
    except ModuleNotFoundError as exc:
        if exc.name != optional:
            raise
import kinetrace
kinetrace.analyse(kinetrace.load_case({seed!r}))
print("ok")
"""


def test_core_imports_without_outer_layers() -> None:
    """Importing and running the core with django/typer/mediapipe/... blocked works."""
    from tests.factories import SEED_CASE

    code = SCRIPT.format(blocked=BLOCKED, modules=CORE_MODULES, seed=str(SEED_CASE))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


#: Kinetrace's outer layers (they call the core; the core never imports them).
OUTER = ("cli", "web", "reports", "export", "video", "bench", "bodychart")

EVERY_MODULE = """
import importlib, importlib.abc, sys
BLOCKED = {blocked!r}
OUTER = tuple("kinetrace." + name for name in {outer!r})
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in BLOCKED or name in OUTER or name.startswith(tuple(o + "." for o in OUTER)):
            raise ImportError('the core must not import ' + name)
        return None
sys.meta_path.insert(0, Block())
for mod in {modules!r}:
    importlib.import_module(mod)
print(len({modules!r}))
"""


def _core_modules() -> list[str]:
    """Every module of src/kinetrace outside the outer layers, found from the source tree."""
    from tests.factories import ROOT

    src = ROOT / "src"
    names = []
    for path in sorted((src / "kinetrace").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        if len(parts) > 1 and parts[1].removesuffix(".py") in OUTER:
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_core_module_imports_without_the_outer_layers() -> None:
    """No module of the core imports Django/Typer/MediaPipe/... or Kinetrace's own CLI, web, reports,
    export, video, bench or body chart (the list of core modules is derived, so a new one is covered)."""
    modules = _core_modules()
    assert {"kinetrace.engine.recommend", "kinetrace.presentation", "kinetrace.timeline"} <= set(modules)
    code = EVERY_MODULE.format(blocked=BLOCKED, outer=OUTER, modules=modules)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(modules))
