"""Project-wide test set-up.

- Qt runs offscreen (no display needed) unless QT_QPA_PLATFORM is already set.
- Nothing is ever skipped: a skip (skip marker, skipif, pytest.skip, importorskip, also at
  module level) is reported as a failure. xfail is untouched.
"""
from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

# Before any QApplication exists (pytest-qt creates it lazily in the qapp fixture).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["pytester"]

# Hypothesis judges its own speed by the wall clock: on a loaded 2-core machine (xdist workers,
# server processes) its too_slow health check and per-example deadline fail tests that prove
# nothing about the product. Two profiles, chosen by HYPOTHESIS_PROFILE: "weicha" (make test)
# runs 50 examples of a property that names no count, "soak" (make soak) Hypothesis' 100; a
# test that names its count gives both (support.examples(soak, make_test), make_test >= 25).
try:
    from hypothesis import HealthCheck, settings as _hyp_settings
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass
else:
    _hyp_settings.register_profile("weicha", deadline=None, max_examples=50,
                                   suppress_health_check=[HealthCheck.too_slow])
    _hyp_settings.register_profile("soak", deadline=None, max_examples=100,
                                   suppress_health_check=[HealthCheck.too_slow])
    _hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "weicha"))

SKIP_IS_FAILURE = "skips are failures in this project: install the dependency"


def _skip_reason(longrepr) -> str:
    # A skip's longrepr is (path, lineno, "Skipped: reason").
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, lineno, reason = longrepr
        return f"{reason} ({path}:{lineno})"
    return str(longrepr)


def _fail_skip(report) -> None:
    report.longrepr = f"{SKIP_IS_FAILURE}\n{_skip_reason(report.longrepr)}"
    report.outcome = "failed"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # tryfirst makes this the outermost wrapper: it sees the report after pytest's own
    # skipping plugin has turned xfail outcomes into skipped-with-wasxfail.
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        _fail_skip(report)
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_make_collect_report(collector):
    # pytest.importorskip / pytest.skip(allow_module_level=True) at module level.
    report = yield
    if report.skipped:
        _fail_skip(report)
    return report


def pytest_collect_file(file_path: Path, parent):
    # Collect this file's own test (below) in every run, not only when named on the
    # command line (then pytest's python plugin collects it already).
    if file_path == Path(__file__) and not parent.session.isinitpath(file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


# --- self-test of the hooks above; the inner run gets everything above this line ---


def test_skips_are_failures(pytester: pytest.Pytester) -> None:
    hooks = Path(__file__).read_text(encoding="utf-8").split("# --- self-test")[0]
    pytester.makeconftest(hooks)
    pytester.makepyfile(
        test_inner="""
        import pytest

        def test_skip_call():
            pytest.skip("no tool")

        @pytest.mark.skip(reason="marker")
        def test_skip_marker():
            pass

        def test_importorskip():
            pytest.importorskip("surely_not_an_installed_module_xyz")

        @pytest.mark.xfail(reason="known bug", strict=True)
        def test_xfail():
            assert False

        def test_imperative_xfail():
            pytest.xfail("known")

        def test_ok():
            pass
        """,
        test_module_skip="""
        import pytest
        pytest.importorskip("surely_not_an_installed_module_xyz")

        def test_never_runs():
            pass
        """,
    )
    # In this process (pytester snapshots and restores sys.modules and sys.path around it):
    # the inner conftest is the top-level module "conftest", this one "tests.conftest". The
    # installed plugins (xdist, qt, hypothesis…) are not loaded: the hooks need none of them.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--continue-on-collection-errors")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=2, errors=2, xfailed=2, skipped=0)
    result.stdout.fnmatch_lines([f"*{SKIP_IS_FAILURE}*"])
    result.stdout.fnmatch_lines(["*Skipped: no tool*"])
    result.stdout.fnmatch_lines(["*surely_not_an_installed_module_xyz*"])


@pytest.fixture(autouse=True, scope="session")
def _config_dir_in_tmp(tmp_path_factory):
    """No test touches the real ~/.config or the OS keyring: the device key and the signed
    checkpoints (core/checkpoint.py) go into a folder of this test run, also for module
    fixtures and for the programs a test starts (they inherit the environment). Checkpoints
    are per device id, so tests do not meet each other's; a test that needs an empty key
    store passes its own ``Anchor`` or sets WEICHA_CONFIG_DIR itself. The application log
    (core/applog.py, set up by the commands a test runs) goes there too."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WEICHA_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
        mp.setenv("WEICHA_LOG_DIR", str(tmp_path_factory.mktemp("log")))
        mp.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        yield
        from weicha_desktop.core import applog

        applog.teardown()


@pytest.fixture(autouse=True, scope="session")
def _server_zygote():
    """The server processes' zygote (tests/server_fork.py), if this test process started
    one, stops with the session: its servers' CPU then counts as this process's children's."""
    yield
    import sys

    if "tests.server_fork" in sys.modules:
        sys.modules["tests.server_fork"].stop()


# The photo import's and the report's worker processes (core/media/pool.py) start with
# "spawn" in the program: a fresh interpreter each, ~0.12 s CPU of imports before its first
# photo, ~100 of them in the suite. Outside the tests of the pool itself (marked
# spawned_workers: workers that cannot start, die, are killed) they are forked from one
# forkserver per test process that has imported what they run — still processes of their
# own, running the same target by name, never a copy of the test process or its threads.
# Their environment is the forkserver's (from its start): a test that hands its workers
# something through an environment variable marks its module spawned_workers.
FORKED_WORKERS_PRELOAD = ["weicha_desktop.core.media.pool", "weicha_desktop.core.media.analyse",
                          "weicha_desktop.core.reports.photo_prep",  # the report's light worker side
                          # what every photo worker loads at its first photo (~0.07 s CPU each)
                          "weicha_desktop.core.media.pil", "PIL.JpegImagePlugin", "PIL.PngImagePlugin", "exifread"]


@pytest.hookimpl(trylast=True)  # after pytest-qt's, which imports PySide6
def pytest_configure(config):
    config.addinivalue_line("markers", "spawned_workers: the pool's workers start as in the program "
                                       "(spawn), not forked from the tests' forkserver")
    # as the program does (gui/shell/app.py): PySide6's import hook does not read the source
    # of every module the tests import after Qt (~0.15 CPU-s of each worker's collection)
    from weicha_desktop.gui.common import import_hook

    import_hook.skip_source_scan()


# The cycle collector in a test process: with Python's thresholds (700, 10, 10) it ran ~3,200
# times over the core tests, walking a heap that only grows (every module, test and mark
# collected), ~6 % of their CPU. Everything alive when collection ends lives as long as the
# process: frozen, no collection walks it again; and a collection starts every 10,000 new
# objects, not 700 (1,000 tests: ~770 collections, a third of the time). Garbage cycles a test
# leaves are still collected, a little later. The programs and workers tests start keep theirs.
# And, as in the program (gui/common/gc_guard.py), never in another thread: a collection a
# worker thread (an anyio portal, a pool's decode) happened to start freed Qt objects there and
# crashed the test process (a segmentation fault "Garbage-collecting" in anyio's thread). The
# automatic collector is off once collection ends; the same thresholds are checked on the main
# thread after each phase of each test (pytest_runtest_logreport).
gc.set_threshold(10_000, 20, 20)


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()
    gc.disable()


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    from weicha_desktop.gui.common.gc_guard import collect_due

    collect_due()


@pytest.fixture(autouse=True, scope="module")
def _pool_workers_forked(request):
    """(module scope: the modules' own fixtures that import photos fork theirs too; the
    marker is a module's pytestmark)"""
    import multiprocessing

    if (request.node.get_closest_marker("spawned_workers")
            or "forkserver" not in multiprocessing.get_all_start_methods()):  # Windows: spawn
        yield
        return

    from weicha_desktop.core.media.pool import WorkerPool

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKED_WORKERS_PRELOAD)
    start = WorkerPool.__init__

    def forked(self, *args, **kw):
        start(self, *args, **kw)
        self._ctx = context
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(WorkerPool, "__init__", forked)
        yield


@pytest.fixture(autouse=True, scope="session")
def _forkserver_stops():
    """The tests' forkserver (if started) ends with the session and is reaped: its workers'
    CPU counts as this process's children's, as spawned workers' did."""
    yield
    import sys

    forkserver = sys.modules.get("multiprocessing.forkserver")
    if forkserver is not None and forkserver._forkserver._forkserver_pid is not None:
        forkserver._forkserver._stop()


@pytest.fixture(autouse=True, scope="module")
def _config_dir_per_module(_config_dir_in_tmp, tmp_path_factory):
    """Each test module its own key store (WEICHA_CONFIG_DIR), set before the module's own
    fixtures: a new data folder reads every checkpoint of the key store once (another line
    written for this folder? core/checkpoint.py Anchor.for_folder), so with one key store per
    worker each new folder cost more than the last (+3 ms a folder per 100 folders made
    before it: ~700 a worker). A module's tests and module fixtures still share theirs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WEICHA_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
        yield


from weicha_desktop.core import users  # noqa: E402 — below the hooks the self-test copies

# scrypt at n=2**4 instead of the product's 2**14: a hash or login costs microseconds, not
# ~30 ms (hundreds of them per run). Hashes carry their cost, so checks need no switch.
CHEAP_HASH_COST = users.HashCost(n=2**4, r=8, p=1)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """New password hashes in this process are cheap (programs a test starts use the
    product's cost unless they choose otherwise). A test about the real cost asks for
    ``strong_password_hashes``."""
    previous = users.use_hash_cost(CHEAP_HASH_COST)
    yield
    users.use_hash_cost(previous)


@pytest.fixture
def strong_password_hashes():
    """The product's scrypt cost (users.STRONG) for this test: its timing or stored hashes."""
    previous = users.use_hash_cost(users.STRONG)
    yield users.STRONG
    users.use_hash_cost(previous)


@pytest.fixture
def app_log(tmp_path):
    """The application log (core/applog.py) of this test, in tmp_path/logs: yields the file
    (read it with support.log_text); the log's handler and hooks are taken off afterwards."""
    from weicha_desktop.core import applog

    path = applog.setup(tmp_path / "logs")
    yield path
    applog.teardown()
