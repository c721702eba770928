"""PNG plots for ``kinetrace bench --plots DIR``: trials-to-identify and the reliability diagram."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from kinetrace.bench.metrics import PolicyMetrics
from kinetrace.bench.runner import EpisodeResult


def plot_trials(results: Sequence[EpisodeResult], path: Path, *, title: str) -> Path:
    """Cumulative share of patients whose driver was correctly called within k trials, per policy."""
    by_policy: dict[str, list[EpisodeResult]] = {}
    for r in results:
        by_policy.setdefault(r.policy, []).append(r)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    k_max = max((r.n_trials for r in results), default=1)
    ks = np.arange(0, k_max + 1)
    for name, rs in by_policy.items():
        n = len(rs)
        ok_trials = np.array([r.n_trials for r in rs if r.correct])
        share = [(ok_trials <= k).sum() / n for k in ks]
        ax.step(ks, share, where="post", label=name)
    ax.set_xlabel("treatment trials used (k)")
    ax.set_ylabel("share of patients correctly called within k trials")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_reliability(metrics: PolicyMetrics, path: Path, *, title: str) -> Path:
    """Reliability diagram: observed accuracy against stated probability, bin sizes annotated."""
    fig, ax = plt.subplots(figsize=(5, 5), dpi=110)
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    used = [b for b in metrics.reliability if b.count]
    ax.bar(
        [(b.low + b.high) / 2 for b in used],
        [b.accuracy for b in used],
        width=[b.high - b.low for b in used],
        alpha=0.5,
        edgecolor="black",
        label="observed accuracy",
    )
    ax.plot([b.confidence for b in used], [b.accuracy for b in used], "o-", color="C1", label="mean stated p")
    for b in used:
        ax.annotate(str(b.count), ((b.low + b.high) / 2, b.accuracy), ha="center", va="bottom", fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("stated probability of the final call")
    ax.set_ylabel("share correct")
    ece = "n/a" if metrics.ece is None else f"{metrics.ece:.3f}"
    ax.set_title(f"{title}\n{metrics.policy}: ECE = {ece}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
