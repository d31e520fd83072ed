"""Assignments and grading: from an instructor's solution notebook to a gradebook.

- :mod:`.assignment`: reads a solution notebook (nbgrader markers and metadata) and releases
  the student version (``vgan-course release``);
- :mod:`.grader`: grades a folder of submissions into a CSV and feedback files
  (``vgan-course grade``); the verdict is computed here, never in the process that ran
  student code;
- :mod:`.child`: the small program that runs one submission in its own process, behind
  :mod:`.guard`, and sends back the values the hidden tests asked for.

Hidden tests are written as *probes*: ``probe("name", lambda: f(inputs))`` records the value of
the student's function on the grader's inputs. In a notebook (the instructor's solution under
nbval) a probe just evaluates and prints; under the grader the same value goes to the grader,
which compares it with the solution's value for the same probe.
"""

from __future__ import annotations

from typing import Any, Callable


def probe(name: str, compute: Callable[[], Any]) -> Any:
    """Evaluate one hidden-test probe in a notebook and show a short summary of its value."""
    value = compute()
    summary = getattr(value, "shape", None)
    print(f"probe {name!r}: ok" + (f" (shape {tuple(summary)})" if summary is not None else ""))
    return value
