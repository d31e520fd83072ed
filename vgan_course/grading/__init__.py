"""Assignments and grading: from an instructor's solution notebook to a gradebook.

- :mod:`.assignment`: reads a solution notebook (nbgrader markers and metadata) and releases
  the student version; :mod:`.student_tree`: everything students receive, in one folder;
  :mod:`.generated`: generated notebooks are stamped, and an edited one is not overwritten;
- :mod:`.grader`: grades a folder of submissions (``vgan-course grade``); the verdict is
  computed there, never in the process that ran student code; :mod:`.submission` reads a
  submission and builds the cells to run, :mod:`.compare` compares values;
- :mod:`.runner` runs one notebook's cells in :mod:`.child`, inside :mod:`.sandbox`
  (bubblewrap), and collects the :mod:`.channel` records it sends back;
- :mod:`.gradebook`: the CSV and the feedback files, merged with what the instructor entered
  by hand; :mod:`.commands`: the ``sync``, ``release`` and ``grade`` commands.

The threat model and the instructor's walk-through are in ``docs/grading.md``.

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
