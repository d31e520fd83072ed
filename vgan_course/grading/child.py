"""The program that runs one notebook's cells: ``python -m vgan_course.grading.child FD < JOB``.

It reads the job (JSON: cells, per-cell seconds, resource limits) from its standard input, which
it then closes, sets its resource limits, and executes the cells one by one in a fresh namespace,
each under a CPU-time limit. Through the pipe ``FD`` it sends :mod:`.channel` records to the grader:
which cell starts, which cell failed and why, and the value of every hidden-test probe. It never
decides a grade: the grader compares the probe values with the solution's, in its own process.

The grader starts it inside the sandbox (:mod:`.sandbox`), so nothing here needs to defend
itself: a submission may change anything in this process, and can still only send records.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import traceback
import zlib

STOPPED_AFTER_TIME_OUT = 124  # exit code: a cell went on after its time-out (it caught CellTimeout)
RLIMITS = {"address_space": resource.RLIMIT_AS, "processes": resource.RLIMIT_NPROC,
           "file_size": resource.RLIMIT_FSIZE, "cpu_seconds": resource.RLIMIT_CPU, "open_files": resource.RLIMIT_NOFILE}


class CellTimeout(BaseException):  # not an Exception: `except Exception` in student code must not swallow it
    """A cell used more than its CPU time (a busy machine does not count against it; the wall
    clock of the whole run, kept by the grader, catches a cell that sleeps)."""


def probe_seed(name: str) -> int:
    """The seed set before a probe runs, the same for the solution and every submission."""
    return zlib.crc32(name.encode("utf-8"))


def read_job() -> dict:
    """The job on standard input; standard input is then ``/dev/null``."""
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return job


def apply_limits(limits: dict[str, int]) -> None:
    """Resource limits for this process and all it starts; too much output fails the write, not the run."""
    for name, value in limits.items():
        resource.setrlimit(RLIMITS[name], (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class Channel:
    """Writes records to the grader's pipe (its functions grabbed before student code runs)."""

    def __init__(self, fd: int):
        from .channel import pack

        self._fd, self._write, self._pack = fd, os.write, pack

    def send(self, kind: str, **fields) -> None:
        data = self._pack(kind, **fields)
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


def run(job: dict, channel: Channel) -> None:
    """Execute the job's cells, sending a record as each starts, fails, or probes a value."""
    import matplotlib
    import torch
    from IPython.core.inputtransformer2 import TransformerManager

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    transform = TransformerManager().transform_cell
    plt.show = lambda *args, **kwargs: None
    namespace = {"__name__": "__main__", "get_ipython": _shell_stub}
    current = {"part": None}

    def probe(name, compute):
        torch.manual_seed(probe_seed(current["part"] + "/" + name))
        try:
            channel.send("probe", part=current["part"], name=name, value=compute(), error=None)
        except BaseException as exc:  # noqa: BLE001 (a submission may raise anything)
            if isinstance(exc, CellTimeout):
                raise
            channel.send("probe", part=current["part"], name=name, value=None, error=_error_text(exc))

    def on_alarm(signum, frame):
        current["alarms"] += 1
        if current["alarms"] > 1:  # the time-out was caught and the cell went on: stop the whole run
            os._exit(STOPPED_AFTER_TIME_OUT)
        raise CellTimeout(f"the cell ran longer than {job['cell_seconds']:g} s of CPU time (an endless loop?)")

    signal.signal(signal.SIGPROF, on_alarm)
    for index, cell in enumerate(job["cells"]):
        current.update(part=cell.get("part"), alarms=0)
        channel.send("start", index=index, role=cell["role"], part=cell.get("part"))
        if cell["role"] == "hidden":
            namespace["probe"] = probe  # put back, whatever the submission did with the name
        signal.setitimer(signal.ITIMER_PROF, job["cell_seconds"], job["cell_seconds"])
        try:
            exec(compile(transform(cell["source"]), f"<cell {index}: {cell['role']} {cell.get('part') or ''}>", "exec"), namespace)
        except BaseException as exc:  # noqa: BLE001
            channel.send("error", index=index, role=cell["role"], part=cell.get("part"), error=_error_text(exc))
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    channel.send("done")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    job = read_job()
    apply_limits(job["limits"])
    run(job, Channel(int(sys.argv[1])))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: nothing a submission registered runs after this
