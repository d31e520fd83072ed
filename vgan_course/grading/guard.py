"""A guard for the process that runs a student's code: what it may not touch.

Python's audit hooks (PEP 578) see every ``open``, process launch, network connection and
file removal; once added, a hook cannot be removed by code that runs later. The child process
adds this hook after its own imports and before the first student cell. It is not a full
sandbox (the wall-clock and memory limits, the separate process and the temporary folder do
the rest), but it stops a submission from reading the solutions or other students' work,
writing outside its folder, or starting programs.
"""

from __future__ import annotations

import os
import sys

_BLOCKED_EVENTS = {
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "pty.spawn", "socket.connect", "socket.bind", "ctypes.dlopen", "ctypes.call_function", "ctypes.string_at",
    "os.chmod", "os.chown", "os.link", "os.symlink", "shutil.rmtree",
}
_WRITE_EVENTS = {"os.remove", "os.rmdir", "os.rename", "os.mkdir", "os.truncate", "os.utime"}


class GuardError(PermissionError):
    """Raised inside the student's code when it does something the grader forbids."""


def install(workdir: str, protected: list[str]) -> None:
    """Allow writes only under ``workdir``; refuse any access to paths under ``protected``
    (except ``workdir`` itself, which may lie inside a protected folder)."""
    workdir = os.path.realpath(workdir)
    protected = [os.path.realpath(p) for p in protected]

    def inside(path: str, root: str) -> bool:
        return path == root or path.startswith(root + os.sep)

    def resolve(path) -> str | None:
        if isinstance(path, int):  # a file descriptor: already opened, already checked
            return None
        try:
            return os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return None

    def hook(event: str, args: tuple) -> None:
        if event in _BLOCKED_EVENTS or event.startswith("os.exec"):
            raise GuardError(f"the grader does not allow {event} in a submission")
        if event == "open":
            path, mode, flags = (list(args) + [None, None, None])[:3]
            path = resolve(path)
            if path is None or inside(path, workdir):  # its own folder: anything goes
                return
            if any(inside(path, p) for p in protected):
                raise GuardError(f"a submission may not read {path}")
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC))
            if writing and path != os.devnull:
                raise GuardError(f"a submission may only write inside its own folder, not to {path}")
        elif event in _WRITE_EVENTS:
            for candidate in args[:2]:
                path = resolve(candidate)
                if path is not None and not inside(path, workdir):
                    raise GuardError(f"a submission may not change {path}")
        elif event in ("os.listdir", "os.scandir", "glob.glob"):
            path = resolve(args[0] if args and args[0] is not None else ".")
            if path is not None and not inside(path, workdir) and any(inside(path, p) for p in protected):
                raise GuardError(f"a submission may not look into {path}")

    sys.addaudithook(hook)
