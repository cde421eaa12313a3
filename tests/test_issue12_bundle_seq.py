"""Issue 12 audit: an export killed after its file's rename but before its ``bundle.export``
entry must not hand its ``bundle_seq`` to the next export (core/bundle/export.py reserves the
number in a change of its own first); a number skipped that way, or by a cancelled export, is
harmless on the server (weicha_server/bundles.py: a bundle is new when its number is above the
highest imported). SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core.bundle import export as export_module
from weicha_desktop.core.bundle.container import BundleError
from weicha_desktop.core.bundle.export import export_ops, last_bundle_seq, next_bundle_seq
from weicha_desktop.core.bundle.offline_enroll import apply_enrollment, write_request
from weicha_desktop.core.sync.enrollment import SyncConfig

from tests.server_bundle_support import srv  # noqa: F401
from tests.server_support import closes_laptops, laptop, server_cli  # noqa: F401


def cli(srv, *args):
    run = server_cli(srv.data_dir, *args, "--json", db=srv.db_url)
    assert run.code == 0, run.err
    return json.loads(run.out)


def usb_laptop(srv, tmp_path):
    """A laptop enrolled by file with ``srv`` (the real request and enrollment files)."""
    lt, usb = laptop(tmp_path / "lt"), tmp_path / "usb"
    usb.mkdir()
    req = write_request(lt.store, lt.actor, usb / "req.wcq")
    assert server_cli(srv.data_dir, "enroll-import", str(req.path), "-o", str(usb / "e.wce"), "--yes",
                      db=srv.db_url).code == 0
    config = SyncConfig.of(lt.store)
    apply_enrollment(lt.store, lt.actor, usb / "e.wce", config=config,
                     expected_fingerprint=srv.keys.fingerprints()["signing"])
    return lt, config, usb


def test_a_killed_export_never_lends_its_number_and_skipped_numbers_are_harmless(srv, tmp_path, monkeypatch):
    lt, config, usb = usb_laptop(srv, tmp_path)
    lt.new_case(1)
    real = export_module.write_container

    def killed(*a, **k):  # the file written and renamed, then the process dies before its log entry
        real(*a, **k)
        raise SystemExit("kill -9")

    monkeypatch.setattr(export_module, "write_container", killed)
    with pytest.raises(SystemExit):
        export_ops(lt.store, lt.actor, usb / "killed.wcb", config=config)
    monkeypatch.setattr(export_module, "write_container", real)
    assert (usb / "killed.wcb").is_file() and last_bundle_seq(lt.store, lt.device_id) == 0
    assert next_bundle_seq(lt.store, lt.device_id) == 2  # reserved, committed before the file was written
    lt.new_case(2)
    second = export_ops(lt.store, lt.actor, usb / "2.wcb", config=config)
    assert second.bundle_seq == 2  # the killed file holds number 1
    # the server takes both, in either order, each once: the killed one first ...
    first = cli(srv, "bundle", "import", str(usb / "killed.wcb"))
    assert first["status"] == "imported" and first["bundle_seq"] == 1
    taken = cli(srv, "bundle", "import", str(second.path))
    assert taken["status"] == "imported" and taken["bundle_seq"] == 2 and taken["counts"]["applied"] > 0
    # a cancelled export skips a number too; the next bundle is still taken
    with pytest.raises(BundleError):
        export_ops(lt.store, lt.actor, usb / "c.wcb", config=config, cancel=lambda: True)
    assert not (usb / "c.wcb").exists()
    lt.new_case(3)
    fourth = export_ops(lt.store, lt.actor, usb / "4.wcb", config=config)
    assert fourth.bundle_seq == 4
    done = cli(srv, "bundle", "import", str(fourth.path))
    assert done["status"] == "imported" and done["counts"]["applied"] > 0
    reserved = [e for e in lt.store.audit_entries() if e.action == "bundle.reserve"]
    assert [e.details["bundle_seq"] for e in reserved] == [1, 2, 3, 4]
    assert export_module.QUIET >= {"bundle.reserve"}  # never a reason to export by itself
