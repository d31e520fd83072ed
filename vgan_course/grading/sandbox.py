"""Start a program inside bubblewrap (``bwrap``): the operating system keeps student code in a box.

Each program gets new user, PID, mount, IPC, UTS, cgroup and network namespaces. It sees, read-only,
the system's ``/usr`` and the few folders Python needs (:func:`view`: the interpreter, its
site-packages, this package with its shipped data) and nothing of the course repository around
them; it writes only to size-limited tmpfs mounts, :data:`SCRATCH` and ``/dev/shm``. It runs as uid
:data:`NOBODY` with no capabilities, in its own session, and dies with the grader. When its first
process ends the PID namespace ends too, and the kernel kills whatever it left behind.

When the grader runs as root, the student's uid is :data:`NOBODY` outside the namespaces as well:
the grader writes the namespace's id maps itself and ``setpriv`` drops to that uid, so the kernel's
per-user process limit holds and no host file is the student's own. The threat model and the
reasons for each choice are in ``docs/grading.md``.
"""

from __future__ import annotations

import functools
import json
import os
import select
import shutil
import site
import subprocess
import sys
from pathlib import Path

NOBODY = 65534
SCRATCH = "/tmp"  # the sandbox's working folder, HOME and TMPDIR
HOW_TO_GET_IT = ("install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) "
                 "on a Linux machine with user namespaces, or pass --no-sandbox to grade trusted work without one")
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime")
_ROOT_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")  # what setpriv needs to drop to NOBODY, then drops


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run on this machine; the message is one line that says how to get it."""


def view(private: list[Path] = ()) -> list[Path]:
    """The folders a sandboxed Python sees read-only besides ``/usr``: the interpreter, the
    site-packages it imports from, and this package (with its shipped checkpoints).

    Raises ``ValueError`` if one of them holds a ``private`` path (the solutions, the submissions,
    the gradebook): the sandbox must not see those.
    """
    import vgan_course

    wanted = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
              *(p for p in [*sys.path, *site.getsitepackages()] if Path(p).name in ("site-packages", "dist-packages")),
              str(Path(vgan_course.__file__).parent)}
    folders = sorted({Path(p).resolve() for p in wanted if p and Path(p).is_dir()})
    folders = [f for f in folders if not f.is_relative_to("/usr") and not any(
        f != other and f.is_relative_to(other) for other in folders)]
    for folder in folders:
        for secret in private:
            if Path(secret).resolve().is_relative_to(folder):
                raise ValueError(f"the sandbox would show {folder}, which holds {secret}: "
                                 "keep the course's Python environment apart from solutions, submissions and grades")
    return folders


def command(argv: list[str], env: dict[str, str], scratch_mb: int, folders: list[Path], as_root: bool,
            handshake: tuple[int, int] | None = None) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` in a sandbox seeing ``folders`` read-only.

    ``as_root``: the caller maps the ids itself (:func:`start`); ``handshake`` is then the
    (block, info) pair of file descriptors bwrap waits on and reports its child's pid to.
    """
    args = ["bwrap", "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in _SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(16 * 2**20), "--tmpfs", "/dev/shm",
             "--size", str(scratch_mb * 2**20), "--perms", "1777", "--tmpfs", SCRATCH]  # before the view: a venv may live in /tmp
    made: set[Path] = set()
    for folder in folders:
        for parent in reversed(folder.parents[:-1]):  # readable mount points on the way down
            if parent not in made and not any(parent.is_relative_to(p) for p in _SYSTEM_DIRS):
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += ["--ro-bind", str(folder), str(folder)]
    args += ["--chdir", SCRATCH, "--remount-ro", "/dev", "--remount-ro", "/"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    if not as_root:
        return args + ["--uid", str(NOBODY), "--gid", str(NOBODY), "--disable-userns", "--cap-drop", "ALL", "--", *argv]
    block, info = handshake
    args += ["--userns-block-fd", str(block), "--info-fd", str(info), "--cap-drop", "ALL"]
    for cap in _ROOT_CAPS:
        args += ["--cap-add", cap]
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
    return args + ["--", *drop, "--", *argv]


def start(argv: list[str], env: dict[str, str], scratch_mb: int, folders: list[Path], **popen) -> subprocess.Popen:
    """Start ``argv`` in a sandbox (``popen``: stdin, stdout, stderr, pass_fds for ``Popen``).

    As root, bwrap waits until the grader has written the new user namespace's id maps: the
    namespace's root (bwrap itself, during set-up) stays root, and :data:`NOBODY` inside is
    :data:`NOBODY` outside.
    """
    if os.geteuid() != 0:
        return subprocess.Popen(command(argv, env, scratch_mb, folders, as_root=False), start_new_session=True, **popen)
    block_read, block_write = os.pipe()
    info_read, info_write = os.pipe()
    pass_fds = (*popen.pop("pass_fds", ()), block_read, info_write)
    try:
        process = subprocess.Popen(command(argv, env, scratch_mb, folders, True, (block_read, info_write)),
                                   start_new_session=True, pass_fds=pass_fds, **popen)
    finally:
        os.close(block_read)
        os.close(info_write)
    try:
        pid = _child_pid(info_read)
        if pid is not None:
            for name in ("uid_map", "gid_map"):
                Path(f"/proc/{pid}/{name}").write_text(f"0 0 1\n{NOBODY} {NOBODY} 1\n")
            os.write(block_write, b"1")
    except OSError:
        pass  # bwrap died during set-up: the caller sees it exit
    finally:
        os.close(block_write)
        os.close(info_read)
    return process


def _child_pid(info_read: int, seconds: float = 30.0) -> int | None:
    """The pid bwrap reports on its info descriptor, or ``None`` if it exits first."""
    data = b""
    while select.select([info_read], [], [], seconds)[0]:
        chunk = os.read(info_read, 4096)
        if not chunk:
            return None
        data += chunk
        try:
            return int(json.loads(data)["child-pid"])
        except (ValueError, KeyError, TypeError):
            continue
    return None


@functools.cache
def check() -> str:
    """What sandbox grading will use here (one line), or :class:`SandboxUnavailable` saying why not."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"sandboxed grading needs Linux (this is {sys.platform}): grade on a Linux machine "
                                 "or in a Linux container, or pass --no-sandbox to grade trusted work without one")
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {HOW_TO_GET_IT}")
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        raise SandboxUnavailable("grading as root needs setpriv (util-linux) to drop to an unprivileged uid: "
                                 "install util-linux, or grade as an ordinary user")
    trial = start([sys.executable, "-c", "import vgan_course.grading"], {"PATH": "/usr/bin:/bin"}, 8, view(),
                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = trial.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        trial.kill()
        out, _ = trial.communicate()
    if trial.returncode != 0:
        reason = (out.decode(errors="replace").strip().splitlines() or [f"exit code {trial.returncode}"])[-1]
        raise SandboxUnavailable(f"bubblewrap cannot start a sandbox here ({reason[:200]}); user namespaces may be "
                                 f"disabled (sysctl kernel.unprivileged_userns_clone=1), or {HOW_TO_GET_IT}")
    version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
    who = f"uid {NOBODY} inside and out" if os.geteuid() == 0 else f"uid {NOBODY} inside, your uid outside"
    return f"{version or 'bubblewrap'}: user, PID, mount, IPC, UTS and network namespaces; {who}"
