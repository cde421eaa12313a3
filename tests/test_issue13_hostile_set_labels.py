"""Hostile tester (issue 13): `--set 字段=值` takes a field's Chinese label as well as its id
(unique in the form), and a field the form does not have is a usage error (exit 2) listing
the fields that exist."""
import json

import pytest

from tests.support import new_store, run_cli


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("set") / "data"
    new_store(path).close()
    return path


def test_a_field_is_named_by_its_chinese_label(folder):
    r = run_cli(folder, "patrol", "new", "--set", "巡逻区域=文峰路一带", "--json", user="admin")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["data"]["area"] == "文峰路一带"
    r = run_cli(folder, "request", "new", "--set", "request_type=opinion", "--set", "source=visit",
                "--set", "内容=路灯不亮", "--json", user="admin")
    assert r.returncode == 0 and json.loads(r.stdout)["data"]["content"] == "路灯不亮", r.stderr


def test_an_unknown_field_lists_the_fields(folder):
    r = run_cli(folder, "person", "new", "--set", "外号=老三", user="admin")
    assert r.returncode == 2
    assert "没有字段“外号”" in r.stderr and "name（姓名）" in r.stderr and "id_number（身份证号）" in r.stderr
