"""`verify` while the program writes: it reads ONE snapshot (one read transaction), so what
another program commits meanwhile is never taken for tampering (a cut tail, rows without
their log entry, a checkpoint ahead of the data)."""
import threading

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import open_for_verify, verify
from weicha_desktop.resources import forms_dir

from tests.support import migrated_folder


def _write_until(store: Store, stop: threading.Event, counts: list[int]) -> None:
    actor = UserService(store).authenticate("admin", DEMO_PASSWORD)
    cases = CaseService(store, FormRegistry(forms_dir()), actor)
    while not stop.is_set():
        case = cases.new_case({"narrative_overview": "现场"})
        cases.update(case.id, {"narrative_overview": f"现场 {counts[0]}"})
        store.log_read(actor, "case.export", "case", case.id, "查看")
        counts[0] += 1


def test_a_commit_before_every_query_of_verify_is_not_taken_for_tampering(tmp_path):
    """Deterministic: another connection commits (and moves the checkpoint) just before each
    statement verify runs. Each query would see more than the one before, and a checkpoint
    read after the first query would be ahead of what the queries see."""
    data = migrated_folder(tmp_path / "data")  # (the demo sets it up)
    with Store.open(data) as store:
        fill_demo(store, FormRegistry(forms_dir()), cases=3, seed=5)
        actor = UserService(store).authenticate("admin", DEMO_PASSWORD)
        cases = CaseService(store, FormRegistry(forms_dir()), actor)
        commits = []

        def commit_first(statement: str) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "PRAGMA")):
                commits.append(cases.new_case({"narrative_overview": "现场"}).id)

        with open_for_verify(data) as ro:
            ro.conn.set_trace_callback(commit_first)
            report = verify(ro)
            ro.conn.set_trace_callback(None)
    assert len(commits) > 10
    assert report.ok and not report.warnings, report.faults + report.warnings
    with open_for_verify(data) as ro:  # and verify sees every one of them afterwards
        again = verify(ro)
    assert again.ok and again.audit_entries > report.audit_entries


def test_verify_while_another_writer_commits_is_clean_every_time(tmp_path):
    data = migrated_folder(tmp_path / "data")  # (the demo sets it up)
    store = Store.open(data)
    fill_demo(store, FormRegistry(forms_dir()), cases=3, seed=5)
    stop, counts, failed = threading.Event(), [0], []
    writer = threading.Thread(target=_write_until, args=(store, stop, counts))
    writer.start()
    try:
        for _ in range(12):
            seen = counts[0]
            with open_for_verify(data) as ro:
                report = verify(ro)
            if not report.ok or report.warnings:
                failed.append(report.faults + report.warnings)
            while counts[0] == seen and writer.is_alive():  # a commit between every two runs
                stop.wait(0.005)
    finally:
        stop.set()
        writer.join()
        store.close()
    assert counts[0] >= 12, "the writer did not run alongside"
    assert not failed, failed[:2]
    with open_for_verify(data) as ro:
        assert verify(ro).ok
