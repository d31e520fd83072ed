"""The program that runs one submission: ``python -m vgan_course.grading.child JOB.json FD``.

It executes the job's cells one by one in a fresh namespace, each under a time limit, and
sends records through the pipe ``FD`` to the grader: which cell starts, which cell failed and
why, and the value of every hidden-test probe. It never decides a grade: the grader compares
the probe values with the solution's, in its own process.

A record is a 4-byte big-endian length, then a ``torch.save`` of a dict of plain values
(tensors, numbers, strings, lists, tuples, dicts), which the grader reads with
``torch.load(weights_only=True)``: untrusted bytes cannot run code in the grader.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import traceback
import zlib

import torch


class CellTimeout(BaseException):  # not an Exception: `except Exception` in student code must not swallow it
    """A cell ran past its time limit."""


def plain(value, depth: int = 0):
    """A copy of ``value`` made of tensors, numbers, strings, lists, tuples and dicts only."""
    if depth > 20:
        raise TypeError("the value is nested too deeply")
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, torch.Size):
        return tuple(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if type(value).__module__ == "numpy":
        return torch.as_tensor(value).clone() if hasattr(value, "shape") and value.shape else value.item()
    if isinstance(value, (list, tuple)):
        items = [plain(v, depth + 1) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    raise TypeError(f"a probe returned a {type(value).__name__}, which the grader cannot compare")


def probe_seed(name: str) -> int:
    """The seed set before a probe runs, the same for the solution and every submission."""
    return zlib.crc32(name.encode("utf-8"))


class Channel:
    """Writes length-prefixed records to the grader's pipe (grabbed before student code runs)."""

    def __init__(self, fd: int):
        self._fd, self._write, self._save = fd, os.write, torch.save

    def send(self, **record) -> None:
        buffer = io.BytesIO()
        self._save(record, buffer)
        payload = buffer.getvalue()
        data = len(payload).to_bytes(4, "big") + payload
        try:
            while data:
                data = data[self._write(self._fd, data):]
        except OSError:
            pass  # the grader stopped listening, or the submission closed the pipe: nothing to do


def _error_text(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"SystemExit({error.code!r}): the cell called sys.exit()"
    lines = traceback.format_exception_only(type(error), error)
    return "".join(lines).strip()[-500:]


def _shell_stub():
    """What ``get_ipython()`` returns here: magics and shell commands do nothing."""

    class Shell:
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    return Shell()


def main(job_path: str, fd: int) -> None:
    job = json.loads(open(job_path, encoding="utf-8").read())
    channel = Channel(fd)
    from IPython.core.inputtransformer2 import TransformerManager

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import vgan_course.data  # noqa: F401  (loaded before the guard; students may use them)
    import vgan_course.grading  # noqa: F401
    from vgan_course.grading import guard

    transform = TransformerManager().transform_cell
    plt.show = lambda *args, **kwargs: None
    namespace = {"__name__": "__main__", "get_ipython": _shell_stub}
    current = {"part": None}

    def probe(name, compute):
        torch.manual_seed(probe_seed(current["part"] + "/" + name))
        try:
            value, error = plain(compute()), None
        except BaseException as exc:  # noqa: BLE001 (a submission may raise anything)
            if isinstance(exc, CellTimeout):
                raise
            value, error = None, _error_text(exc)
        channel.send(kind="probe", part=current["part"], name=name, value=value, error=error)
        return None

    def on_alarm(signum, frame):
        raise CellTimeout(f"the cell ran longer than {job['cell_seconds']} s (an endless loop?)")

    signal.signal(signal.SIGALRM, on_alarm)
    guard.install(job["workdir"], job["protected"])
    for index, cell in enumerate(job["cells"]):
        current["part"] = cell.get("part")
        channel.send(kind="start", index=index, role=cell["role"], part=cell.get("part"))
        if cell["role"] == "hidden":
            namespace["probe"] = probe  # put back, whatever the submission did with the name
        signal.setitimer(signal.ITIMER_REAL, job["cell_seconds"])
        try:
            exec(compile(transform(cell["source"]), f"<cell {index}: {cell['role']} {cell.get('part') or ''}>", "exec"), namespace)
        except BaseException as exc:  # noqa: BLE001
            channel.send(kind="error", index=index, role=cell["role"], part=cell.get("part"), error=_error_text(exc))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    channel.send(kind="done")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main(sys.argv[1], int(sys.argv[2]))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: nothing a submission registered runs after this
