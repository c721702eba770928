"""Errors raised by the Kinetrace core."""

from __future__ import annotations


class CaseError(ValueError):
    """A case file is invalid. ``problems`` lists every problem as ``path: message``.

    Nothing partial is ever returned alongside it: either a whole valid case, or this error.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in case"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
