"""Learning from a clinic's confirmed cases: ``kinetrace.learn(cases) -> Model``.

Plain Python + numpy/scipy (core). A model is a set of multipliers on the shipped prior factors
(finding kind, severity, history, region group, how much the atlas links count, local findings),
P(none) and the likelihood's expected response, fitted by maximum marginal likelihood with
shrinkage towards the shipped defaults and cross-validated (:mod:`kinetrace.learning.fit`). It is
written as versioned YAML with a readable report (:mod:`kinetrace.learning.model`) and used by
``kinetrace.analyse(case, model=model)`` / ``kinetrace analyse --model model.yaml``.
"""

from __future__ import annotations

from kinetrace.learning.fit import LearnError, confirmed, learn
from kinetrace.learning.model import MODEL_FORMAT, Model, ModelError, load_model, model_from_dict

__all__ = ["MODEL_FORMAT", "LearnError", "Model", "ModelError", "confirmed", "learn", "load_model", "model_from_dict"]
