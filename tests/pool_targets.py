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
    if name.startswith("slow"):
        time.sleep(0.3)
    return {"status": "ok", "name": name, "pid": os.getpid()}
