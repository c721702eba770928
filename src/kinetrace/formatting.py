"""Display helpers shared by the CLI, the web app and the reports (plain Python, part of the core)."""

from __future__ import annotations


def probability_label(p: float) -> str:
    """A probability for display, in whole percent, never as certainty.

    ``0.9999`` reads ``> 99 %`` and ``0.0001`` reads ``< 1 %``: a Bayesian probability of a
    driver is never 100 % or 0 %, and the display must not suggest it is.
    """
    if p >= 0.995:
        return "> 99 %"
    if p < 0.005:
        return "< 1 %"
    return f"{100 * p:.0f} %"
