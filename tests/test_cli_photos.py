import json

from tests.media_support import make_photo, random_bytes
from tests.support import UNIT, migrated_folder, run_cli

KEYS = {"file", "status", "reason", "sha256", "taken_at", "time_source", "make", "model",
        "orientation", "width", "height", "gps"}


def test_photos_import_prints_one_json_object_per_file(tmp_path):
    d = migrated_folder(tmp_path / "d")  # init sets it up (no migrations to run)
    assert run_cli(d, "init", "--unit-code", UNIT, "--unit-name", "钦南分局", "--admin", "admin", "--admin-badge", "100001").returncode == 0
    case = json.loads(run_cli(d, "case", "new", "--json", user="admin").stdout)
    card = tmp_path / "DCIM"
    card.mkdir()
    make_photo(card / "IMG_0001.JPG", orientation=6, gps=(-21.5, -108.25, 3.0))
    make_photo(card / "IMG_0002.JPG", seed=2, taken=None, offset=None)
    random_bytes(card / "IMG_0003.JPG")
    r = run_cli(d, "photos", "import", case["number"], str(card), str(card / "IMG_0001.JPG"), "--json",
               user="admin")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 1  # something was not imported
    assert [x["status"] for x in lines] == ["imported", "imported", "rejected", "duplicate"]
    assert all(set(x) == KEYS for x in lines)
    first = lines[0]
    assert (first["width"], first["height"], first["orientation"]) == (480, 640, 6)
    assert first["taken_at"] == "2026-11-20T09:31:05+08:00" and first["make"] == "Canon"
    assert first["gps"]["lat"] < 0 and first["gps"]["lon"] < 0 and first["gps"]["alt"] == 3.0
    assert lines[1]["taken_at"] is None and lines[1]["gps"] is None
    assert "不是可识别" in lines[2]["reason"]
    listed = run_cli(d, "photos", "list", case["id"], "--json", user="admin")
    assert [p["position"] for p in json.loads(listed.stdout)] == [1, 2]
    assert run_cli(d, "photos", "set", case["id"], "1", "--class", "方位", "--caption", "现场方位",
                  user="admin").returncode == 0
    r = run_cli(d, "verify")
    assert r.returncode == 0 and "原始照片 2 张" in r.stdout


def test_evidence_labels_command(tmp_path):
    from weicha_desktop.core.demo import scene_values

    d = migrated_folder(tmp_path / "d")  # init sets it up (no migrations to run)
    run_cli(d, "init", "--unit-code", UNIT, "--unit-name", "钦南分局", "--admin", "admin", "--admin-badge", "100001")
    case = json.loads(run_cli(d, "case", "new", "--json", user="admin").stdout)
    r = run_cli(d, "evidence", "labels", case["id"], "-o", str(tmp_path / "l.pdf"), user="admin")
    assert r.returncode == 1 and "还没有编号的痕迹物证" in r.stderr
    values = tmp_path / "v.json"
    values.write_text(json.dumps({"evidence": scene_values(1)["evidence"]}, ensure_ascii=False), "utf-8")
    assert run_cli(d, "case", "update", case["id"], "--json-file", str(values), user="admin").returncode == 0
    r = run_cli(d, "evidence", "labels", case["id"], "-o", str(tmp_path / "l.pdf"), user="admin")
    assert r.returncode == 0 and (tmp_path / "l.pdf").stat().st_size > 1000
    log = json.loads(run_cli(d, "log", "--json", user="admin").stdout)
    assert [e["action"] for e in log if not e["action"].startswith("login.")][0] == "evidence.labels"


def test_report_command_writes_the_chosen_parts(tmp_path):
    from tests.pdf_support import text

    d = migrated_folder(tmp_path / "d")  # init sets it up (no migrations to run)
    run_cli(d, "init", "--unit-code", UNIT, "--unit-name", "钦南分局", "--admin", "admin", "--admin-badge", "100001")
    case = json.loads(run_cli(d, "case", "new", "--json", user="admin").stdout)
    out = tmp_path / "r.pdf"
    r = run_cli(d, "report", case["number"], "-o", str(out), "--parts", "note,analysis", user="admin")
    assert r.returncode == 0, r.stderr
    first, last = text(out, pages=[0, -1])
    assert "现场勘验检查笔录" in first and "不随案移交" in last and "草稿" in first
    r = run_cli(d, "report", case["number"], "-o", str(out), "--parts", "cover", user="admin")
    assert r.returncode == 1 and "报告部分" in r.stderr
