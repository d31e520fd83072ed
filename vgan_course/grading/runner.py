"""Run one notebook's cells in a child process, in the sandbox, and collect what it sends back.

:func:`run_cells` starts :mod:`.child` inside :mod:`.sandbox` (or, with ``sandboxed=False``,
as a plain process, for trusted work), gives it its job on standard input, enforces the wall
clock, kills whatever is left, and returns the :mod:`.channel` records it sent. It decides
nothing about grades.
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import channel, sandbox

MAX_CHANNEL_BYTES = 64 * 2**20
MIN_MEMORY_MB = 1024  # importing torch alone maps about 700 MB of address space


@dataclass
class Limits:
    """Per-submission limits (most a flag of ``vgan-course grade``).

    Limits under which no notebook could run (a negative time, too little memory to import torch)
    raise ``ValueError`` when made, naming the flag, the least it accepts and the value given.
    """

    seconds: float = 300.0  # wall clock for the whole submission
    cell_seconds: float = 60.0  # CPU time of any one cell
    memory_mb: int = 2048  # address space of each process
    output_mb: int = 5  # what the submission may print, and its largest file
    scratch_mb: int = 256  # its writable folder (a tmpfs: memory)
    processes: int = 64  # processes and threads it may run at once (the sandbox's uid)
    jobs: int = max(1, os.cpu_count() or 1)  # submissions graded at once

    def __post_init__(self) -> None:
        least = {"seconds": ("--timeout", 1, "s"), "cell_seconds": ("--cell-timeout", 1, "s"),
                 "memory_mb": ("--memory-mb", MIN_MEMORY_MB, "MB"), "scratch_mb": ("--scratch-mb", 16, "MB"),
                 "jobs": ("--jobs", 1, ""), "output_mb": ("output_mb", 1, "MB"), "processes": ("processes", 8, "")}
        for name, (flag, minimum, unit) in least.items():
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < minimum:
                raise ValueError(f"{flag} must be at least {minimum}{' ' + unit if unit else ''} for any notebook "
                                 f"to run, got {value!r}")

    def describe(self) -> str:
        """The limits as the flags that set them."""
        return (f"--timeout {self.seconds:g}, --cell-timeout {self.cell_seconds:g}, --memory-mb {self.memory_mb}, "
                f"--scratch-mb {self.scratch_mb}")

    def rlimits(self) -> dict[str, int]:
        """The child's resource limits (:func:`.child.apply_limits`)."""
        return {"address_space": self.memory_mb * 2**20, "processes": self.processes,
                "file_size": self.output_mb * 2**20, "cpu_seconds": int(self.seconds) + 5, "open_files": 1024}


@dataclass
class Run:
    """What came back from one child process."""

    records: list[dict]
    returncode: int | None
    timed_out: bool
    output_cut: bool
    garbled: bool = False  # something other than the child's records was written to its channel


def environment(home: str, package_parent: str) -> dict[str, str]:
    """The child's whole environment: nothing of the grader's leaks in."""
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "USER": "student", "LANG": "C.UTF-8",
            "MPLCONFIGDIR": f"{home}/.mpl", "MPLBACKEND": "Agg", "VGAN_PROFILE": "smoke", "VGAN_SEED": "0",
            "VGAN_RUNS": f"{home}/runs", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": package_parent}


def run_cells(cells: list[dict], limits: Limits, sandboxed: bool = True, private: list[Path] = ()) -> Run:
    """Run ``cells`` (dicts with ``role``, ``part``, ``source``) in a child process.

    ``private``: paths the sandbox must not show (checked by :func:`.sandbox.view`).
    """
    import vgan_course

    job = json.dumps({"cells": cells, "cell_seconds": limits.cell_seconds, "limits": limits.rlimits()}).encode()
    package_parent = str(Path(vgan_course.__file__).resolve().parents[1])
    read_fd, write_fd = os.pipe()
    received: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="vgan-run-") as host_dir:
        output_path = Path(host_dir) / "output.txt"
        with open(output_path, "wb") as output:
            argv = [sys.executable, "-B", "-m", "vgan_course.grading.child", str(write_fd)]
            popen = dict(stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT, pass_fds=(write_fd,))
            try:
                if sandboxed:
                    process = sandbox.start(argv, environment(sandbox.SCRATCH, package_parent), limits.scratch_mb,
                                            sandbox.view(private), **popen)
                else:
                    (Path(host_dir) / "home").mkdir()
                    home = str(Path(host_dir) / "home")
                    process = subprocess.Popen(argv, cwd=home, env=environment(home, package_parent),
                                               start_new_session=True, **popen)
            finally:
                os.close(write_fd)
        reader = threading.Thread(target=_drain, args=(read_fd, received), daemon=True)
        reader.start()
        timed_out = _feed_and_wait(process, job, limits.seconds)
        reader.join(timeout=10)
        os.close(read_fd)
        output_cut = output_path.stat().st_size >= limits.output_mb * 2**20
    records, intact = channel.unpack(b"".join(received))
    return Run(records, _returncode(process, sandboxed), timed_out, output_cut, garbled=not intact)


def _drain(fd: int, chunks: list[bytes]) -> None:
    received = 0
    while data := os.read(fd, 1 << 16):
        if received < MAX_CHANNEL_BYTES:
            chunks.append(data)
        received += len(data)


def _feed_and_wait(process: subprocess.Popen, job: bytes, seconds: float) -> bool:
    """Give the child its job, wait up to ``seconds``, then kill what is left; True if it timed out."""
    try:
        process.stdin.write(job)
        process.stdin.close()
    except OSError:
        pass  # it died before reading: its exit code says why
    timed_out = not _exited(process, seconds)
    try:  # not reaped yet, so the group is still this one: bwrap (the sandbox dies with it) or the plain child's
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    return timed_out


def _exited(process: subprocess.Popen, seconds: float) -> bool:
    """Wait up to ``seconds`` for ``process`` to end, without reaping it where Linux allows."""
    if hasattr(os, "pidfd_open"):
        pidfd = os.pidfd_open(process.pid)
        try:
            return bool(select.select([pidfd], [], [], seconds)[0])
        finally:
            os.close(pidfd)
    try:
        process.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def _returncode(process: subprocess.Popen, sandboxed: bool) -> int | None:
    """The child's exit code, negative for a signal (bwrap reports a signal N as 128 + N)."""
    code = process.returncode
    if sandboxed and code is not None and 128 < code < 128 + 65:
        return -(code - 128)
    return code
