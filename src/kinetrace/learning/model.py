"""A clinic's learned model: multipliers on the shipped prior and likelihood, versioned, as YAML.

``kinetrace/model@1`` (written by ``kinetrace learn``)::

    format: kinetrace/model@1
    version: 1                      # bumped on every refit of the same clinic's model
    engine_defaults: <commit or "shipped">
    cases: 100                      # confirmed cases fitted on (with a driver / "none")
    shrinkage: 0.5                  # prior SD of every log-multiplier (chosen by cross-validation)
    prior:                          # multipliers on the shipped factors (1 = unchanged)
      kind: {neural_tension: 1.2, ...}
      severity: {1: 0.9, 2: 1.0, 3: 1.1}
      history: {old_injury: 1.3, ...}
      region_group: {spine: 1.1, sacroiliac: 1.0, other: 0.95}
      linkage_power: 0.8
      local: 1.0
    p_none: 0.1
    likelihood: {restore_fraction: 0.5}
    cross_validation: {folds: 5, defaults: -1.52, fitted: -1.31}   # mean held-out log P(confirmed)
    report: [lines ...]

Without a model the shipped defaults apply; ``Model.engine_params()`` gives the EngineParams.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from kinetrace.engine.params import DEFAULT_PARAMS, EngineParams
from kinetrace.engine.prior import SHIPPED, PriorFactors

MODEL_FORMAT = "kinetrace/model@1"


class ModelError(ValueError):
    """A model file that is not a valid ``kinetrace/model@1`` document (names the field)."""


@dataclass(frozen=True)
class Model:
    """A fitted clinic model (frozen). ``Model()`` is the shipped defaults."""

    factors: PriorFactors = SHIPPED
    p_none: float = DEFAULT_PARAMS.p_none
    restore_fraction: float = DEFAULT_PARAMS.restore_fraction
    version: int = 1
    cases: int = 0
    shrinkage: float = 0.0
    cv_defaults: float | None = None
    cv_fitted: float | None = None
    folds: int = 0
    engine_defaults: str = "shipped"
    report: tuple[str, ...] = field(default_factory=tuple)

    def engine_params(self, base: EngineParams = DEFAULT_PARAMS) -> EngineParams:
        """The engine parameters with this model's prior and likelihood applied."""
        return replace(base, prior_factors=self.factors, p_none=self.p_none, restore_fraction=self.restore_fraction)

    def to_dict(self) -> dict[str, Any]:
        f = self.factors
        return {
            "format": MODEL_FORMAT,
            "version": self.version,
            "engine_defaults": self.engine_defaults,
            "cases": self.cases,
            "shrinkage": round(self.shrinkage, 4),
            "prior": {
                "kind": {k: round(v, 4) for k, v in f.kind},
                "severity": {int(k): round(v, 4) for k, v in f.severity},
                "history": {k: round(v, 4) for k, v in f.history},
                "region_group": {k: round(v, 4) for k, v in f.region_group},
                "linkage_power": round(f.linkage_power, 4),
                "local": round(f.local, 4),
            },
            "p_none": round(self.p_none, 4),
            "likelihood": {"restore_fraction": round(self.restore_fraction, 4)},
            "cross_validation": {
                "folds": self.folds,
                "defaults": None if self.cv_defaults is None else round(self.cv_defaults, 4),
                "fitted": None if self.cv_fitted is None else round(self.cv_fitted, 4),
            },
            "report": list(self.report),
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as YAML (``kinetrace/model@1``)."""
        out = Path(path)
        out.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8")
        return out


def _table(raw: Any, where: str, key_type: type = str) -> tuple[tuple[Any, float], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected a mapping of value -> multiplier")
    out = []
    for k, v in raw.items():
        if not isinstance(v, int | float) or not 0.01 <= float(v) <= 100:
            raise ModelError(f"{where}.{k}: {v!r} is not a multiplier in [0.01, 100]")
        out.append((key_type(k), float(v)))
    return tuple(out)


def _number(raw: Any, where: str, low: float, high: float) -> float:
    if not isinstance(raw, int | float) or not low <= float(raw) <= high:
        raise ModelError(f"{where}: {raw!r} is not a number in [{low}, {high}]")
    return float(raw)


def model_from_dict(data: Any) -> Model:
    """A model from its ``kinetrace/model@1`` mapping; ModelError names the bad field."""
    if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
        raise ModelError(f"format: not a {MODEL_FORMAT} document")
    prior = data.get("prior") or {}
    if not isinstance(prior, dict):
        raise ModelError("prior: expected a mapping")
    factors = PriorFactors(
        kind=_table(prior.get("kind"), "prior.kind"),
        severity=_table(prior.get("severity"), "prior.severity", int),
        history=_table(prior.get("history"), "prior.history"),
        region_group=_table(prior.get("region_group"), "prior.region_group"),
        linkage_power=_number(prior.get("linkage_power", 1.0), "prior.linkage_power", 0.05, 20.0),
        local=_number(prior.get("local", 1.0), "prior.local", 0.01, 100.0),
    )
    cv = data.get("cross_validation") or {}
    lik = data.get("likelihood") or {}
    return Model(
        factors=factors,
        p_none=_number(data.get("p_none", DEFAULT_PARAMS.p_none), "p_none", 0.001, 0.999),
        restore_fraction=_number(
            lik.get("restore_fraction", DEFAULT_PARAMS.restore_fraction), "likelihood.restore_fraction", 0.05, 2.0
        ),
        version=int(_number(data.get("version", 1), "version", 1, 10**6)),
        cases=int(_number(data.get("cases", 0), "cases", 0, 10**9)),
        shrinkage=_number(data.get("shrinkage", 0.0), "shrinkage", 0.0, 100.0),
        cv_defaults=cv.get("defaults"),
        cv_fitted=cv.get("fitted"),
        folds=int(cv.get("folds", 0) or 0),
        engine_defaults=str(data.get("engine_defaults", "shipped")),
        report=tuple(str(x) for x in data.get("report") or ()),
    )


def load_model(path: str | Path) -> Model:
    """Read a model file (``kinetrace learn -o``); ModelError names the file and field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"{p}: cannot be read ({exc.strerror})") from None
    if len(text) > 1_000_000:
        raise ModelError(f"{p}: larger than 1 MB (not a model file)")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModelError(f"{p}: not YAML ({exc.__class__.__name__})") from None
    try:
        return model_from_dict(data)
    except ModelError as exc:
        raise ModelError(f"{p}: {exc}") from None
