"""The sandbox: what a submission can see and do, checked from inside and from the host, and the
attacks of ``grading_attacks.py``: each works without the sandbox and fails inside it."""

import csv
import hashlib
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from grading_attacks import ATTACKS, MARKER, answered, attack_notebook, attack_script

from vgan_course import cli
from vgan_course.grading import assignment, grader, runner, sandbox
from vgan_course.grading.runner import Limits

ROOT = Path(__file__).resolve().parents[1]
TASK = assignment.load(ROOT / "solutions" / "01_gan_basics.ipynb")
LIMITS = Limits(seconds=240, cell_seconds=6, scratch_mb=32, processes=32, jobs=2)
pytestmark = pytest.mark.usefixtures("sandbox_available")


def in_sandbox(script: str, scratch_mb: int = 8, private: list[Path] = ()) -> str:
    """Run a shell ``script`` in the sandbox; its output."""
    process = sandbox.start(["/bin/sh", "-c", script], runner.environment(sandbox.SCRATCH, str(ROOT)), scratch_mb,
                            sandbox.view(list(private)), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    return process.communicate(timeout=120)[0].decode()


def python_in_sandbox(source: str) -> str:
    return in_sandbox(f"exec {sys.executable} -B -c {shlex.quote(source)}")


def survivors(marker: str) -> list[str]:
    """Command lines of host processes that hold ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.name.isdigit() and marker in line and "pytest" not in line:
            found.append(line)
    return found


class Listener:
    """A TCP server on the host's loopback that records whatever reaches it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.received.append(connection.recv(100) or b"(connected)")
            connection.close()


def test_the_sandbox_shows_the_interpreter_and_the_package_not_the_course(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("42")
    out = in_sandbox(f"ls -A /; echo ---; ls -A {ROOT}; echo ---; ls /etc; echo ---; cat {secret} {ROOT}/solutions/*.py "
                     f"/etc/shadow {Path.home()}/.bash_history 2>&1 | head -5; echo ---; ls {ROOT}/vgan_course/checkpoints | head -2")
    top, repo, etc, reads, checkpoints = [part.split() for part in out.split("---")]
    assert set(repo) <= {"vgan_course", ".venv"} and "vgan_course" in repo  # not solutions/, tests/, .git
    assert "home" not in top and "etc" in top and not {"passwd", "shadow", "hostname"} & set(etc)
    assert "42" not in reads and reads.count("No") >= 3, reads
    assert checkpoints, "the package's shipped networks must be visible"
    with pytest.raises(ValueError, match="holds"):
        sandbox.view([Path(sys.prefix) / "lib"])  # a view that would show a private path is refused


def test_a_sandboxed_process_is_nobody_without_capabilities_network_or_neighbours():
    listener = Listener()
    out = python_in_sandbox(f"""
import os, socket
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print("uid", os.getuid(), "caps", status["CapEff"].strip(), status["CapBnd"].strip(), "nnp", status["NoNewPrivs"].strip())
print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
print("uid_map", open("/proc/self/uid_map").read().split())
try:
    socket.create_connection(("127.0.0.1", {listener.port}), timeout=2).sendall(b"hello")
    print("network: reached the host")
except OSError as error:
    print("network: refused", error)
""")
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    assert lines["uid"] == "65534 caps 0000000000000000 0000000000000000 nnp 1", out
    assert len(eval(lines["pids"])) <= 3, out  # bwrap's init, this process (and its shell)
    if os.geteuid() == 0:  # the grader is root: the sandbox's uid is nobody on the host too
        assert eval(lines["uid_map"])[-3:] == ["65534", "65534", "1"], out
    assert lines["network:"].startswith("refused") and listener.received == [], out


def test_nothing_a_run_starts_survives_it():
    marker = f"{MARKER}-{os.getpid()}-{time.time_ns()}"
    process = sandbox.start(["/bin/sh", "-c", f"setsid sh -c 'sleep 300; : {marker}' & sleep 3"],
                            runner.environment(sandbox.SCRATCH, str(ROOT)), 8, sandbox.view(), stdin=subprocess.DEVNULL)
    seen = []
    while process.poll() is None and not seen:
        seen = survivors(marker)
        time.sleep(0.05)
    assert seen, "the detached process never started: this test would prove nothing"
    process.wait(timeout=30)
    for _ in range(20):
        if not survivors(marker):
            break
        time.sleep(0.1)
    assert survivors(marker) == []


def test_scratch_files_and_processes_are_limited():
    out = python_in_sandbox("""
import os, time
from vgan_course.grading.child import apply_limits
apply_limits({"processes": 12, "file_size": 2**20, "address_space": 2**31, "cpu_seconds": 30})
children = 0
try:
    while children < 1000:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError as error:
    print("forks", children)
try:
    open("big", "wb").write(b"x" * 2**21)
except OSError as error:
    print("file", os.path.getsize("big"), error.errno)
written = 0
try:
    for i in range(100):
        open(f"fill{i}", "wb").write(b"x" * 2**20)
        written += 1
except OSError as error:
    print("scratch", written, error.strerror)
""")
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    assert 0 < int(lines["forks"]) < 12, out
    assert lines["file"].startswith(f"{2**20} "), out  # cut at the file-size limit
    assert lines["scratch"].split()[0] in {"5", "6", "7"} and "No space left" in lines["scratch"], out


def test_without_bubblewrap_grading_refuses_in_one_line(tmp_path, capsys, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "alice.ipynb").write_text("{}")
    monkeypatch.setattr(grader, "reference_values", lambda *a, **k: pytest.fail("grading started"))
    args = ["grade", str(submissions), "--assignment", "01", "--solutions", str(ROOT / "solutions"),
            "--out", str(tmp_path / "grades.csv")]
    for path, words in ((str(fake), "user namespaces"), ("/nonexistent", "apt-get install bubblewrap")):
        monkeypatch.setenv("PATH", f"{path}:/usr/local/bin:/usr/bin:/bin" if path == str(fake) else path)
        sandbox.check.cache_clear()
        assert cli.main(args) == 1
        err = capsys.readouterr().err
        assert words in err and "--no-sandbox" in err and err.count("\n") == 1, err
        assert cli.main(["doctor"]) in (0, 1) and f"sandbox       no: " in capsys.readouterr().out
    sandbox.check.cache_clear()
    assert not (tmp_path / "grades.csv").exists()


@pytest.fixture()
def targets(tmp_path):
    """What the attacks aim at: real paths of this test run (a student could read them off the
    grader's command line), a canary file, and a listener on the host's loopback."""
    git_dir = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-common-dir"], capture_output=True, text=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "canary.txt").write_text("still here")
    listener = Listener()
    return {"solution": str(ROOT / "solutions" / "01_gan_basics.ipynb"), "corpus_correct": str(tmp_path / "corpus.ipynb"),
            "git_objects": str((ROOT / git_dir.stdout.strip() / "objects").resolve()), "repo": str(ROOT),
            "submissions": str(tmp_path / "submissions"), "csv": str(tmp_path / "grades.csv"),
            "canary": str(tmp_path / "canary.txt"), "port": listener.port, "listener": listener,
            "write_targets": [str(outside / "a"), str(tmp_path / "submissions" / "planted"),
                              str(ROOT / f"planted-{os.getpid()}"), f"/tmp/planted-{os.getpid()}"],
            "marker": f"{MARKER}-{os.getpid()}-{time.time_ns()}"}


def aim(targets: dict, **changes) -> dict:
    return {**{k: v for k, v in targets.items() if k != "listener"}, **changes}


@pytest.mark.parametrize("name, done", [
    ("steals_solution", ["torch.from_file", "numpy.fromfile", "libc read", "os.open with dir_fd",
                         "_posixsubprocess.fork_exec", "os.system", "multiprocessing spawn", "git show"]),
    ("copies_classmate", ["classmate", "/proc/parent/cwd"]),
    ("writes_and_deletes", ["open", "torch.save", "cv2.imwrite", "PyAV", "sqlite3", "mkfifo", "the canary"])])
def test_each_attack_works_without_the_sandbox_and_fails_inside(name, done, targets, tmp_path):
    """The control first: run plainly (only at paths in this test's folder), every method works."""
    (tmp_path / "submissions").mkdir()
    nbformat.write(answered(), tmp_path / "submissions" / "honest_alice.ipynb")
    plain = aim(targets, write_targets=[str(tmp_path / "outside" / "a")], scan_proc=False)  # leave the host's processes be
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    work = tmp_path / "work"
    work.mkdir()
    out = subprocess.run([sys.executable, "-c", attack_script(name, plain)], capture_output=True, text=True,
                         cwd=work, env=env, timeout=300).stdout
    for method in done:
        assert any(line.split(":", 1)[0] in ("stole", "wrote", "deleted") and method in line
                   for line in out.splitlines()), f"{method} did not work even without the sandbox:\n{out}"
    (tmp_path / "canary.txt").write_text("still here")
    for path in Path(tmp_path / "outside").iterdir():
        path.unlink()
    inside = python_in_sandbox(attack_script(name, aim(targets)))
    done_inside = [line for line in inside.splitlines() if line.split(":", 1)[0] in ("stole", "wrote", "deleted", "opened")
                   and not line.endswith(f"/tmp/planted-{os.getpid()}")]  # /tmp in the sandbox is its scratch
    assert done_inside == [], inside
    assert (tmp_path / "canary.txt").read_text() == "still here" and not list((tmp_path / "outside").iterdir())
    assert not any(Path(t + ext).exists() for t in targets["write_targets"] for ext in (".txt", ".pt", ".png", ".mp4", ".db", ".fifo"))


def folder_hash(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_attacks_gain_nothing_and_honest_students_keep_full_marks(targets, tmp_path):
    """Every attack and two honest students, graded together two at a time in the sandbox."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    aimed = aim(targets)
    names = sorted(ATTACKS)
    honest = {2: "honest_alice", 5: "honest_bob"}  # graded at the same time as the killers and the bombs
    order = names[:2] + [honest[2]] + names[2:4] + [honest[5]] + names[4:]
    for number, name in enumerate(order):
        notebook = answered() if name.startswith("honest") else attack_notebook(name, aimed)
        nbformat.write(notebook, submissions / f"{number:02d}_{name}.ipynb")
    (submissions / "99_links_to_solution.ipynb").symlink_to(ROOT / "solutions" / "01_gan_basics.ipynb")  # from a zip
    before = folder_hash(submissions)
    results = {r.student.split("_", 1)[1]: r for r in grader.grade_folder(submissions, TASK, tmp_path / "grades.csv",
                                                                          limits=LIMITS)}
    written = (tmp_path / "grades.csv").read_text()
    for name, result in results.items():
        expected = 11 if name.startswith("honest") else 0
        assert result.total == expected, f"{name}: {result.status} {result.reasons[:3]}"
    assert results["links_to_solution"].status.startswith("a symbolic link")
    assert folder_hash(submissions) == before and (tmp_path / "canary.txt").read_text() == "still here"
    assert not any(Path(t + ext).exists() for t in targets["write_targets"] for ext in (".txt", ".pt", ".png", ".mp4", ".db", ".fifo"))
    assert targets["listener"].received == []
    time.sleep(1.0)  # a detached process would now be rewriting the gradebook
    assert (tmp_path / "grades.csv").read_text() == written and survivors(targets["marker"]) == []
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert len(rows) == len(order) + 1 and {r["status"] for r in rows if "honest" in r["student"]} == {"graded"}


def test_a_working_attack_earns_points_without_the_sandbox(targets, tmp_path, capsys):
    """The control of the test above: graded plainly (--no-sandbox), copying a classmate pays."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(answered(), submissions / "honest_alice.ipynb")
    nbformat.write(attack_notebook("copies_classmate", aim(targets, scan_proc=False)), submissions / "copies_classmate.ipynb")
    code = cli.main(["grade", str(submissions), "--assignment", "01", "--solutions", str(ROOT / "solutions"),
                     "--out", str(tmp_path / "grades.csv"), "--no-sandbox", "--jobs", "2", "--cell-timeout", "6",
                     "--timeout", "240"])
    assert code == 0, capsys.readouterr().err
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert rows["copies_classmate"]["total"] == "11" and rows["honest_alice"]["total"] == "11"
    assert all(r["status"].endswith("(no sandbox: --no-sandbox)") for r in rows.values())


def test_doctor_says_grading_can_be_sandboxed(capsys):
    assert cli.main(["doctor"]) == 0
    assert "sandbox       yes: bubblewrap" in capsys.readouterr().out
