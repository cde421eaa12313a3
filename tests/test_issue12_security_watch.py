"""Issue 12 security review, finding 5: deeply nested JSON (a 60 KB header of ``[``, a request
or bundle.json of 200,000 ``[``) is a refusal, never a crash; and whatever one dropped file
makes the watcher raise, that file goes to refused/ with a reason and the watcher carries on."""
from __future__ import annotations

import struct
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.server_bundle_support import srv  # noqa: F401
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.keys import public_b64
from weicha_desktop.core.clock import Clock
from weicha_server import bundles
from weicha_server.enroll_offline import read_request

DEEP = b"[" * 200000


def _deep_header(path: Path) -> Path:
    hdr = b"[" * 60000
    path.write_bytes(C.MAGIC + struct.pack(">I", len(hdr)) + hdr)
    return path


def test_a_deep_header_is_refused_by_the_real_watcher(srv, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    _deep_header(drop / "evil.wcb")
    assert bundles._header_id(drop / "evil.wcb") is None
    said = []
    imp = bundles.Importer(srv.config(), srv.engine)
    assert bundles.watch_folder(imp, drop, once=True, interval=0, say=lambda t, bad: said.append((t, bad))) == 1
    assert not (drop / "evil.wcb").exists() and (drop / "refused" / "evil.wcb").is_file()
    assert "未导入" in (drop / "refused" / "evil.wcb.原因.txt").read_text(encoding="utf-8") and said[0][1]


class _Importer:
    """Raises what ``fail`` names for one file, imports the others."""

    def __init__(self, fail: dict[str, BaseException]):
        self.fail, self.taken = fail, []

    def import_file(self, path, receipt_to):
        if path.name in self.fail:
            raise self.fail[path.name]
        self.taken.append(path.name)
        return SimpleNamespace(message="已导入")


@pytest.mark.parametrize("error", [RecursionError("deep"), KeyError("x"), RuntimeError("boom")])
def test_any_exception_for_one_file_refuses_it_and_the_watcher_carries_on(tmp_path, error):
    for name in ("a.wcb", "b.wcb"):
        (tmp_path / name).write_bytes(b"x")
    imp, said = _Importer({"a.wcb": error}), []
    assert bundles.watch_folder(imp, tmp_path, once=True, interval=0, say=lambda t, bad: said.append(t)) == 1
    assert imp.taken == ["b.wcb"] and (tmp_path / "done" / "b.wcb").is_file()
    reason = (tmp_path / "refused" / "a.wcb.原因.txt").read_text(encoding="utf-8")
    assert type(error).__name__ in reason and "未导入任何内容" in reason and "a.wcb" in said[0]


def test_a_deep_request_json_is_refused_not_a_crash(tmp_path):
    k = Ed25519PrivateKey.generate()
    C.write_container(tmp_path / "r.wcq", kind="enroll-request", sender=("device", "dev-x"), recipient=("server", "*"),
                      signer=k, encrypt_to=None, clock=Clock(), expires_at=None,
                      manifest_extra={"device_id": "dev-x", "device_name": "n", "public_key": public_b64(k),
                                      "unit_code": None},
                      entries=[C.Entry.of_bytes("request.json", DEEP)])
    with pytest.raises(C.BundleError) as e:
        read_request(tmp_path / "r.wcq", "srv", tmp_path / "stg", Clock())
    assert e.value.code == "manifest_mismatch"


def test_a_deep_bundle_json_is_refused_not_a_crash(tmp_path):
    (tmp_path / "bundle.json").write_bytes(DEEP)
    opened = SimpleNamespace(manifest={"entries": [{"path": "bundle.json"}], "device_id": "d"},
                             header=SimpleNamespace(bundle_id="b"), entry_path=lambda p: tmp_path / p)
    with pytest.raises(bundles.BundleRefused) as e:
        bundles._entry_files(opened)
    assert e.value.code == "manifest_mismatch"


# ---- finding 4: the drop folder's links are never followed ------------------------------------
def _refusing():
    return _Importer({"x.wcb": bundles.BundleRefused("bad_magic", "不是数据包，未导入任何内容。")})


def test_a_reason_file_planted_as_a_link_is_never_written_through(tmp_path):
    victim = tmp_path / "signing.pem"
    victim.write_text("KEY", encoding="utf-8")
    drop = tmp_path / "drop"
    (drop / "refused").mkdir(parents=True)
    (drop / "x.wcb").write_bytes(b"not a bundle")
    (drop / "refused" / "x.wcb.原因.txt").symlink_to(victim)
    assert bundles.watch_folder(_refusing(), drop, once=True, interval=0, say=lambda t, bad: None) == 1
    assert victim.read_text(encoding="utf-8") == "KEY"
    assert "不是数据包" in (drop / "refused" / "x.2.wcb.原因.txt").read_text(encoding="utf-8")
    assert (drop / "refused" / "x.2.wcb").is_file() and not (drop / "x.wcb").exists()


@pytest.mark.parametrize("into", ["refused", "done"])
def test_done_or_refused_as_a_link_is_not_used(tmp_path, into):
    elsewhere, drop = tmp_path / "elsewhere", tmp_path / "drop"
    elsewhere.mkdir()
    drop.mkdir()
    (drop / into).symlink_to(elsewhere, target_is_directory=True)
    (drop / "x.wcb").write_bytes(b"x")
    said = []
    imp = _refusing() if into == "refused" else _Importer({})
    bundles.watch_folder(imp, drop, once=True, interval=0, say=lambda t, bad: said.append(t))
    assert list(elsewhere.iterdir()) == [] and (drop / "x.wcb").is_file()
    assert "符号链接" in said[0] and "请手工移走" in said[0]


def test_a_dropped_link_is_not_taken(tmp_path):
    secret = tmp_path / "secret.wcb"
    secret.write_bytes(b"x")
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "x.wcb").symlink_to(secret)
    imp = _Importer({})
    assert bundles.watch_folder(imp, drop, once=True, interval=0, say=lambda t, bad: None) == 0
    assert imp.taken == [] and secret.is_file() and (drop / "x.wcb").is_symlink()
