"""Form YAML is parsed by libyaml (fast, for the start-up: benchmarks/bench_startup.py) into
the same line-keeping mappings as PyYAML's pure-Python loader, whose words and line a syntax
error still has."""
from pathlib import Path

import pytest
import yaml

from weicha_desktop.core.forms import FormRegistry, yamlsrc
from weicha_desktop.core.forms import loader as form_loader
from weicha_desktop.core.forms.yamlsrc import LineDict, YamlError, parse_yaml, read_yaml

FORMS = Path(__file__).parents[1] / "forms"
PURE = (yamlsrc._LineLoader,)


def same(fast, pure, where: str) -> None:
    """Equal values, types, and for every mapping its line, key lines and repeated keys."""
    assert type(fast) is type(pure), where
    if isinstance(pure, LineDict):
        assert (list(fast), fast.line, fast.key_lines, fast.duplicates) == \
            (list(pure), pure.line, pure.key_lines, pure.duplicates), where
        for key in pure:
            same(fast[key], pure[key], f"{where}.{key}")
    elif isinstance(pure, list):
        assert len(fast) == len(pure), where
        for i, (a, b) in enumerate(zip(fast, pure)):
            same(a, b, f"{where}[{i}]")
    else:
        assert fast == pure, where


def test_libyaml_is_used_when_pyyaml_has_it():
    """The speed of a start depends on it: the first loader tried is libyaml's."""
    assert yaml.__with_libyaml__, "PyYAML without libyaml: form loading is ~7× slower"
    assert issubclass(yamlsrc._LOADERS[0], yaml.CSafeLoader)
    assert yamlsrc._LOADERS[-1] is yamlsrc._LineLoader


@pytest.mark.parametrize("path", sorted(FORMS.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_file_reads_the_same_with_both_loaders(path):
    text = path.read_text(encoding="utf-8")
    fast = yaml.load(text, Loader=yamlsrc._LOADERS[0])  # noqa: S506 - a SafeLoader
    same(fast, parse_yaml(text, PURE), path.name)
    same(read_yaml(path), fast, path.name)


def test_repeated_keys_and_lines_are_kept_by_libyaml():
    text = "a: 1\nb:\n  c: 2\n  c: 3\nd: [x, {e: 4}]\na: 5\n"
    fast = yaml.load(text, Loader=yamlsrc._LOADERS[0])  # noqa: S506 - a SafeLoader
    assert fast.duplicates == [("a", 6)] and fast["b"].duplicates == [("c", 4)]
    assert fast.key_lines == {"a": 6, "b": 2, "d": 5} and fast["d"][1].line == 5
    same(fast, parse_yaml(text, PURE), "text")


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "a: b: c\n", "a:\n\t- x\n",
                                  "- a\nb: 2\n", "x: *nope\n", "a: 1\n  b: 2\n"])
def test_a_syntax_error_says_what_the_pure_python_loader_says(text, tmp_path):
    """libyaml words errors differently ("did not find expected ',' or ']'"): a file it
    refuses is read again by the pure-Python loader, whose message and line are reported."""
    with pytest.raises(yaml.MarkedYAMLError) as pure:
        yaml.load(text, Loader=yamlsrc._LineLoader)  # noqa: S506 - a SafeLoader
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as got:
        read_yaml(path)
    assert str(got.value) == f"YAML 语法错误：{pure.value.problem}"
    assert got.value.line == pure.value.problem_mark.line + 1


def test_the_registry_reads_each_file_once(monkeypatch):
    """The shared choice lists were parsed twice per start (load_all, then the registry)."""
    from weicha_desktop.core.forms import memo

    memo.forget()  # a start: nothing built yet in this process
    read: list[str] = []
    real = form_loader.read_yaml

    def counting(path):
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(form_loader, "read_yaml", counting)
    registry = FormRegistry(FORMS)
    assert read and sorted(read) == sorted(set(read)), read
    assert {p.name for p in (FORMS / "choices").glob("*.yaml")} <= set(read)
    assert registry.choices("photo_classes"), "the choice lists are still there"
