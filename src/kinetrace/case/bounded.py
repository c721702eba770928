"""Bounded parsing of case files: limits checked *before* anything is built from the input.

A case file from a clinician's upload, the API or the command line is untrusted. YAML lets a
few hundred bytes expand to gigabytes through aliases (``&a [*a, *a, ...]`` nested), and deep
nesting exhausts the stack. :func:`parse_case_bytes` therefore scans the YAML *event stream*
(libyaml when available) and counts, per the :class:`Limits`: bytes, aliases, the expanded
number of items (an alias counts as the whole subtree it repeats), nesting depth, text length
and duplicate keys; only a file within every limit is turned into Python objects. JSON is
parsed with duplicate-key and non-finite-number checks and the same tree limits.

Every error is a :class:`~kinetrace.errors.CaseError` whose messages name the place
(``sessions[0].trials[1].post``) and the limit, and quote at most a short, escaped excerpt of
the input: no message ever contains an unbounded or expanded value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kinetrace.errors import CaseError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Limits:
    """Bounds on one case file (a real episode uses a small fraction of each)."""

    max_bytes: int = 2 * 1024 * 1024
    max_items: int = 50_000  # scalars + collections after alias expansion
    max_aliases: int = 100
    max_depth: int = 16
    max_text: int = 20_000  # characters in one scalar
    max_key: int = 100  # characters in one mapping key


DEFAULT_LIMITS = Limits()


def excerpt(value: object, limit: int = 40) -> str:
    """A short, escaped rendering of untrusted input for an error message."""
    text = value if isinstance(value, str) else str(type(value).__name__)
    shown = repr(text[:limit])
    return shown + ("..." if len(text) > limit else "")


def _where(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out or "(file)"


class _Frame:
    """One open collection while scanning events: its path entry and, for a mapping, its keys."""

    __slots__ = ("anchor", "is_map", "keys", "position", "start")

    def __init__(self, is_map: bool, anchor: str | None, start: int) -> None:
        self.is_map = is_map
        self.anchor = anchor
        self.start = start
        self.position = 0
        self.keys: set[str] = set()


class _Scan:
    """Counts the expanded size of a YAML event stream and stops at the first limit passed."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.items = 0
        self.aliases = 0
        self.sizes: dict[str, int] = {}
        self.stack: list[_Frame] = []
        self.path: list[str | int] = []

    def fail(self, message: str) -> CaseError:
        return CaseError([f"{_where(self.path)}: {message}"])

    def _count(self, n: int) -> None:
        self.items += n
        if self.items > self.limits.max_items:
            raise self.fail(f"the file expands to more than {self.limits.max_items} items (aliases included)")

    def _before_node(self) -> bool:
        """Called before a node; returns True when the node is a mapping key."""
        if not self.stack:
            return False
        frame = self.stack[-1]
        if not frame.is_map:
            self.path.append(frame.position)
        frame.position += 1
        return frame.is_map and frame.position % 2 == 1

    def _after_value(self) -> None:
        """Called after a (non-key) node is complete: leave its place in the path."""
        if self.stack:
            self.path.pop()

    def _key(self, value: str) -> None:
        frame = self.stack[-1]
        if len(value) > self.limits.max_key:
            raise self.fail(f"a key is longer than {self.limits.max_key} characters ({excerpt(value)})")
        if value in frame.keys and value != "<<":
            raise self.fail(f"duplicate key {excerpt(value)}; each key may appear once")
        frame.keys.add(value)
        self.path.append(value)

    def scalar(self, event: Any) -> None:
        is_key = self._before_node()
        if len(event.value) > self.limits.max_text:
            raise self.fail(f"a value is longer than {self.limits.max_text} characters")
        self._count(1)
        if event.anchor:
            self.sizes[event.anchor] = 1
        if is_key:
            self._key(event.value)
        else:
            self._after_value()

    def alias(self, event: Any) -> None:
        if self._before_node():
            raise self.fail("an alias may not be used as a key")
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise self.fail(f"more than {self.limits.max_aliases} aliases (*name) in the file")
        size = self.sizes.get(event.anchor)
        if size is None:  # an alias of an unfinished collection: a recursive structure
            raise self.fail("an alias refers to a collection that contains it (recursive data)")
        self._count(size)
        self._after_value()

    def start(self, event: Any, is_map: bool) -> None:
        if self._before_node():
            raise self.fail("a key must be text, not a list or mapping")
        if len(self.stack) >= self.limits.max_depth:
            raise self.fail(f"nested deeper than {self.limits.max_depth} levels")
        self._count(1)
        self.stack.append(_Frame(is_map, event.anchor, self.items))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.sizes[frame.anchor] = self.items - frame.start + 1
        self._after_value()


def _scan_yaml(text: str, limits: Limits) -> None:
    scan = _Scan(limits)
    events: Iterator[Any] = yaml.parse(text, Loader=_Loader)
    for event in events:
        if isinstance(event, yaml.ScalarEvent):
            scan.scalar(event)
        elif isinstance(event, yaml.AliasEvent):
            scan.alias(event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            scan.start(event, isinstance(event, yaml.MappingStartEvent))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            scan.end()
        elif isinstance(event, yaml.DocumentStartEvent) and scan.items:
            raise CaseError(["file: more than one YAML document; a case file holds one"])


def _yaml_error(exc: yaml.YAMLError) -> CaseError:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = str(getattr(exc, "problem", None) or type(exc).__name__)[:120]
    return CaseError([f"file: not valid YAML{where}: {problem}"])


def load_yaml_bounded(text: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """YAML text to Python data, refusing anything past ``limits`` before building it."""
    try:
        _scan_yaml(text, limits)
        return yaml.load(text, Loader=_Loader)  # a safe loader (CSafeLoader/SafeLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer with too many digits
        if isinstance(exc, CaseError):
            raise
        raise CaseError([f"file: a value cannot be read ({type(exc).__name__})"]) from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CaseError([f"file: duplicate key {excerpt(key)} in a JSON object; each key may appear once"])
        out[key] = value
    return out


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise CaseError([f"file: the number {excerpt(text)} is out of range (finite numbers only)"])
    return value


def _constant(text: str) -> float:
    raise CaseError([f"file: {text} is not allowed (finite numbers only)"])


def load_json_bounded(text: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """JSON text to Python data: no duplicate keys, no NaN/Infinity, the tree within ``limits``."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_finite, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise CaseError([f"file: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None
    except RecursionError:
        raise CaseError([f"file: nested deeper than {limits.max_depth} levels"]) from None
    except CaseError:
        raise
    except ValueError as exc:  # an integer with too many digits
        raise CaseError([f"file: a value cannot be read ({type(exc).__name__})"]) from None
    check_tree(data, limits)
    return data


def check_tree(data: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Check already-parsed data (e.g. an API body) against the depth, size and text limits."""
    count = 0
    todo: list[tuple[Any, list[str | int]]] = [(data, [])]
    while todo:
        node, path = todo.pop()
        count += 1
        if count > limits.max_items:
            raise CaseError([f"{_where(path)}: more than {limits.max_items} items"])
        if len(path) > limits.max_depth:
            raise CaseError([f"{_where(path[: limits.max_depth])}: nested deeper than {limits.max_depth} levels"])
        if isinstance(node, Mapping):
            for key, value in node.items():
                if not isinstance(key, str) or len(key) > limits.max_key:
                    raise CaseError([f"{_where(path)}: a key must be text of at most {limits.max_key} characters"])
                todo.append((value, [*path, key]))
        elif isinstance(node, list | tuple):
            todo.extend((v, [*path, i]) for i, v in enumerate(node))
        elif isinstance(node, str) and len(node) > limits.max_text:
            raise CaseError([f"{_where(path)}: longer than {limits.max_text} characters"])
        elif isinstance(node, float) and not math.isfinite(node):
            raise CaseError([f"{_where(path)}: {node} is not allowed (finite numbers only)"])


def parse_case_bytes(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Bytes of a case file (YAML or JSON, recognised from the content) to a mapping, within limits.

    The format is read from the content, not a file name: a document whose first non-blank
    character is ``{`` is JSON, anything else YAML (JSON is also YAML, but the JSON parser is
    stricter about numbers and keys).
    """
    if len(raw) > limits.max_bytes:
        raise CaseError([f"file: larger than {limits.max_bytes // 1024} KiB (the limit for a case file)"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError([f"file: not UTF-8 text (byte {exc.start}); a case file is YAML or JSON text"]) from None
    return parse_case_text(text, limits)


def parse_case_text(text: str, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Text of a case file to a mapping, within ``limits`` (see :func:`parse_case_bytes`)."""
    if len(text) > limits.max_bytes:
        raise CaseError([f"file: larger than {limits.max_bytes // 1024} KiB (the limit for a case file)"])
    if "\x00" in text:
        raise CaseError(["file: contains a NUL character; a case file is YAML or JSON text"])
    json_like = text.lstrip().startswith("{")
    data = load_json_bounded(text, limits) if json_like else load_yaml_bounded(text, limits)
    if not isinstance(data, dict):
        raise CaseError(["file: expected a mapping with format: kinetrace/case@1"])
    return data
