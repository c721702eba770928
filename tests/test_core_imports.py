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
