"""``vgan-course run``: run lessons headless, for several seeds, several at once, and record them.

    vgan-course run notebooks/03_temporal_generators.ipynb --profile cpu
    vgan-course run notebooks/0[3-5]*.ipynb --profile cpu --seeds 0 1 2 3 4 --jobs 2 --record runs.json

Each (lesson, seed) runs top to bottom in its own process: a Jupyter kernel for a ``.ipynb``
(the executed copy is saved under ``--out``, also when a cell fails), plain Python for a lesson's
``.py`` twin (for a machine without Jupyter). The run gets its profile, seed and folders through
the environment the lessons read (``VGAN_PROFILE``, ``VGAN_SEED``, ``VGAN_RUNS``,
``VGAN_RETRAIN``) and records its claims and tables through :mod:`vgan_course.claims`.

``--record FILE`` writes one JSON file: a list of run records (lesson, profile, seed, seconds,
error, claims, tables, the shipped networks it loaded with their SHA-256, machine), rewritten as each
run ends. ``--keep-going`` lets a lesson run
past a failed claim, so that one run reports every claim (it still counts as failed).
``--runs DIR`` keeps checkpoints in ``DIR`` (e.g. networks trained beforehand by
``vgan-course train``), else each run trains into a scratch folder.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import claims as recorded
from .folders import check_writable

PROFILES = ("smoke", "cpu", "gpu")


@dataclass(frozen=True)
class RunRequest:
    """What to run: a lesson file (``.ipynb`` or ``.py`` twin), in a profile, for a seed."""

    lesson: Path
    profile: str
    seed: int
    retrain: bool = False
    keep_going: bool = False
    runs: Path | None = None
    out: Path | None = None  # where the executed notebook goes (``.ipynb`` lessons only)
    timeout: float = 3600.0  # seconds per cell (notebook) or for the whole script
    threads: int = 1


def check_request(lessons: list[Path], profile: str, seeds: list[int], jobs: int, out: Path | None,
                  record: Path | None, runs: Path | None = None) -> None:
    """Every mistake in a ``vgan-course run`` command, found before any lesson starts (``ValueError``)."""
    if not lessons:
        raise ValueError("name at least one lesson (a notebook, or its .py twin)")
    for path in lessons:
        if not path.is_file():
            raise ValueError(f"no lesson at {path}")
        if path.suffix not in (".ipynb", ".py"):
            raise ValueError(f"{path} is neither a notebook (.ipynb) nor a lesson's .py twin")
    if profile not in PROFILES:
        raise ValueError(f"--profile must be one of {PROFILES}, got {profile!r}")
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds must be distinct integers, got {seeds}")
    if jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {jobs}")
    single = len(lessons) == 1 and len(seeds) == 1
    if out is not None and out.suffix == ".ipynb" and not single:
        raise ValueError("--out is a notebook file, but several runs were asked for: give a folder")
    for target, what in ((out, "the executed notebooks (--out)"), (record, "the record (--record)")):
        if target is not None:
            check_writable(target.parent if target.suffix else target, what)
    if runs is not None:
        check_writable(runs, "checkpoints (--runs)")


def run_lesson(request: RunRequest) -> dict:
    """Run one lesson in its own process; never raises. Returns its record."""
    with tempfile.TemporaryDirectory() as work:
        record_file = Path(work) / "claims.jsonl"
        env = {**os.environ, "VGAN_PROFILE": request.profile, "VGAN_SEED": str(request.seed),
               "VGAN_RUNS": str((request.runs or Path(work) / "runs").resolve()),
               "VGAN_RETRAIN": "1" if request.retrain else "0", recorded.RECORD_VARIABLE: str(record_file),
               recorded.KEEP_GOING_VARIABLE: "1" if request.keep_going else "0", "MPLBACKEND": "Agg",
               "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": str(request.threads)}
        start = time.perf_counter()
        error = _execute(request, env, Path(work))
        seconds = time.perf_counter() - start
        claims = recorded.read_claims(record_file) if record_file.exists() else []
        tables = recorded.read_tables(record_file) if record_file.exists() else []
        shipped = recorded.read_shipped(record_file) if record_file.exists() else {}
    error = error or claim_problems(claims)
    return {"lesson": lesson_name(request.lesson), "profile": request.profile, "seed": request.seed,
            "retrain": request.retrain, "seconds": round(seconds, 1), "error": error,
            "claims": [{"name": c.name, "value": c.value, "at_least": c.at_least, "at_most": c.at_most,
                        "holds": c.holds} for c in claims],
            "tables": {t["table"]: t["rows"] for t in tables}, "shipped": shipped, "machine": machine()}


def claim_problems(claims: list[recorded.Claim]) -> str | None:
    """What is wrong with a finished run's claims, in one line, or ``None``: asserted claims that failed
    (``--keep-going`` ran past them), or two claims with one name (results are kept by name)."""
    failed = [c.name for c in claims if c.asserted and not c.holds]
    if failed:
        return "claims failed: " + "; ".join(failed)
    names = [c.name for c in claims]
    shared = sorted({name for name in names if names.count(name) > 1})
    return "claims share a name (give each its own): " + "; ".join(shared) if shared else None


def lesson_name(path: Path) -> str:
    return path.stem


def _execute(request: RunRequest, env: dict, work: Path) -> str | None:
    """Run the lesson; the first line of what went wrong, or ``None``."""
    if request.lesson.suffix == ".py":
        try:
            done = subprocess.run([sys.executable, str(request.lesson.resolve())], cwd=work, env=env,
                                  capture_output=True, text=True, timeout=request.timeout)
        except subprocess.TimeoutExpired:
            return f"timed out after {request.timeout:.0f} s"
        sys.stdout.write(done.stdout[-2000:])
        return None if done.returncode == 0 else (done.stderr.strip().splitlines() or ["failed"])[-1][:300]
    reported = work / "error.txt"  # the child's own line: the kernel shares its stderr and may write after it
    command = [sys.executable, "-m", "vgan_course.lesson_runs", str(request.lesson.resolve()),
               str(request.out.resolve()), str(request.timeout), str(reported)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode == 0:
        return None
    if reported.exists():
        return reported.read_text(encoding="utf-8").strip()[:300]
    return (done.stderr.strip().splitlines() or ["failed"])[-1][:300]


def execute_notebook(notebook: Path, out: Path, timeout: float) -> None:
    """Execute ``notebook`` in a kernel (with the current environment) and save the executed copy to
    ``out``, also when a cell fails (then the error is raised after saving)."""
    import nbformat
    from nbclient import NotebookClient

    class SlicedWaitClient(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            for channel in (kc.shell_channel, kc.iopub_channel):
                wait_in_slices(channel)
            return kc

    nb = nbformat.read(notebook, as_version=4)
    client = SlicedWaitClient(nb, timeout=int(timeout), kernel_name="python3",
                              resources={"metadata": {"path": str(notebook.parent)}})
    try:
        client.execute()
    finally:
        _save_executed(nb, out)


def wait_in_slices(channel, slice_seconds: float = 1.0) -> None:
    """Make ``channel.get_msg(timeout)`` (an async kernel-client channel) wait in polls of at most
    ``slice_seconds``, until a message comes or ``timeout`` (``None``: forever) has passed.

    nbclient waits for a cell's reply in one poll as long as the cell's timeout (an hour here). The
    asyncio poll wakes on an edge of the socket's file descriptor, and after a cell that shows
    ipywidgets that wake-up can be lost (nbclient issue 312): the reply sits unread while the kernel
    idles, for the rest of the hour. Every new poll first looks at the socket's state, so a short
    poll, repeated, reads a stranded reply within a second.
    """
    from queue import Empty

    whole_wait = channel.get_msg

    async def get_msg(timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = slice_seconds if deadline is None else min(slice_seconds, deadline - time.monotonic())
            try:
                return await whole_wait(timeout=max(left, 0.0))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    channel.get_msg = get_msg


def _save_executed(nb, out: Path) -> None:
    """Write the executed notebook to ``out``; if that fails, to a temporary file, named in the error."""
    import nbformat

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    except OSError as error:
        handle, kept = tempfile.mkstemp(prefix=out.stem + "-", suffix=".ipynb")
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        raise OSError(f"cannot write the executed notebook to {out} ({error.strerror or error}); "
                      f"it was saved to {kept}") from None


def one_line(error: BaseException) -> str:
    """``error`` in one line of at most 300 characters: its type and its message's last line, or, for an
    error without a message (a bare ``assert`` in the kernel machinery), the file and line that raised it."""
    text = str(error).strip()
    if text:
        return f"{type(error).__name__}: {text.splitlines()[-1]}"[:300]
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__} (no message){where}"[:300]


def machine() -> dict:
    import torch

    return {"cpu_cores": os.cpu_count(), "torch": torch.__version__, "python": platform.python_version(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "date": time.strftime("%Y-%m-%d")}


def run_all(lessons: list[Path], *, profile: str, seeds: list[int], jobs: int = 1, retrain: bool = False,
            keep_going: bool = False, runs: Path | None = None, out: Path | None = None, record: Path | None = None,
            timeout: float = 3600.0) -> list[dict]:
    """Every (lesson, seed), ``jobs`` at a time (each with ``cores / jobs`` threads); the records, in order."""
    check_request(lessons, profile, seeds, jobs, out, record, runs)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    single = len(lessons) == 1 and len(seeds) == 1
    requests = []
    for lesson in lessons:
        for seed in seeds:
            target = None
            if lesson.suffix == ".ipynb":
                folder = out or Path("outputs") / profile
                target = out if single and out is not None and out.suffix == ".ipynb" else folder / f"{lesson.stem}-seed{seed}.ipynb"
            requests.append(RunRequest(lesson, profile, seed, retrain, keep_going, runs, target, timeout, threads))
    done: list[dict | None] = [None] * len(requests)
    writing = threading.Lock()  # runs that end together must not write the record at once

    def one(index: int) -> None:
        done[index] = result = run_lesson(requests[index])
        claims = result["claims"]
        print(f"{result['lesson']} seed {result['seed']} ({profile}{', retrained' if retrain else ''}): "
              f"{result['seconds']:.0f} s, {sum(c['holds'] for c in claims)}/{len(claims)} claims hold"
              + (f", FAILED: {result['error']}" if result["error"] else ""), flush=True)
        if record is not None:
            with writing:
                _write_json(record, [r for r in done if r is not None])

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, range(len(requests))))
    return [r for r in done if r is not None]


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(value, indent=1) + "\n")
    os.replace(temporary, path)


if __name__ == "__main__":  # one notebook in this process's kernel: python -m vgan_course.lesson_runs NB OUT TIMEOUT ERROR_FILE
    try:
        execute_notebook(Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]))
    except Exception as error:  # the executed copy is saved; report the cell's error in one line
        line = one_line(error)
        print(line, file=sys.stderr)
        if len(sys.argv) > 4:
            Path(sys.argv[4]).write_text(line + "\n", encoding="utf-8")
        sys.exit(1)
