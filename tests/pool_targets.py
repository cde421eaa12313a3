"""Targets for WorkerPool tests (imported by the spawned workers)."""
import os
import time


def behave(name: str) -> dict:
    if name.startswith("hang"):
        time.sleep(60)
    if name.startswith("crash"):
        os._exit(3)
    if name.startswith("raise"):
        raise RuntimeError("boom")
    if name.startswith("full"):
        raise OSError(28, "No space left on device")  # errno.ENOSPC
    if name.startswith("slow"):
        time.sleep(0.3)
    return {"status": "ok", "name": name, "pid": os.getpid()}


def meet(name: str, folder: str) -> dict:
    """Wait (at most 15 s, within the test's 20 s limit: a busy machine starts processes
    slowly) until two workers hold a ``meet`` task at once: each leaves its pid in ``folder``.
    Proves two processes work side by side without tasks slow enough for it."""
    import atexit
    from pathlib import Path

    atexit.register(Path(folder, f"teardown-{os.getpid()}").touch)  # runs only if it tears down
    Path(folder, str(os.getpid())).touch()
    for _ in range(3000):
        if len([f for f in os.listdir(folder) if f.isdigit()]) >= 2:
            break
        time.sleep(0.005)
    return {"status": "ok", "name": name, "pid": os.getpid(), "met": len([f for f in os.listdir(folder) if f.isdigit()])}


def loads(module: str) -> dict:
    """What a worker has imported once ``module`` (its target's) is: ``modules``."""
    import importlib
    import sys

    importlib.import_module(module)
    return {"status": "ok", "modules": sorted(sys.modules)}


def die(how: str = "kill") -> None:
    """End this worker the hard way: kill -9 of itself, or a real segfault in native code."""
    if how == "segv":
        import ctypes

        ctypes.string_at(0)
    import signal

    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    time.sleep(10)


def once(marker: str) -> bool:
    """True the first time it is asked about ``marker`` (a file), across processes."""
    try:
        with open(marker, "x"):
            return True
    except FileExistsError:
        return False


def behave_or_die(name: str, marker_dir: str) -> dict:
    if name.startswith("segv"):
        die("segv")
    if name.startswith("killed-once") and once(os.path.join(marker_dir, name)):
        die()
    return behave(name)


def analyse_or_die(source: str, *rest) -> dict:
    """The real import worker, except that ``segv-*`` files crash the decoder and
    ``killed-once-*`` files get their worker killed the first time."""
    from weicha_desktop.core.media.analyse import analyse

    name = os.path.basename(source)
    if name.startswith("segv"):
        die("segv")
    if name.startswith("killed-once") and once(source + ".died"):
        die()
    return analyse(source, *rest)


def _prepare_or_die(mode: str, path: str, turn, long_px: int, out: str) -> dict:
    from weicha_desktop.core.reports.photo_prep import prepare_task

    if os.path.basename(out) == "2.jpg" and (mode == "always" or (mode == "once" and once(out + ".died"))):
        die()
    return prepare_task(path, turn, long_px, out)


def prepare_dying_once(path: str, turn, long_px: int, out: str) -> dict:
    """The real report worker; the third photo's worker dies the first time."""
    return _prepare_or_die("once", path, turn, long_px, out)


def prepare_dying_always(path: str, turn, long_px: int, out: str) -> dict:
    """The real report worker; the third photo's worker dies every time."""
    return _prepare_or_die("always", path, turn, long_px, out)


def kill_workers() -> int:
    """kill -9 every worker process of this process and wait until they are gone."""
    import multiprocessing
    import signal

    children = multiprocessing.active_children()
    for p in children:
        os.kill(p.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    for p in children:
        p.join(10)
    return len(children)
