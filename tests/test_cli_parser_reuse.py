"""`weicha`'s parser is built once per process (cli._parser) and every command after the first
only parses: nothing one command does reaches the next (list defaults, handlers patched later),
and help and usage errors stay as a fresh parser gives them."""
from __future__ import annotations

import pytest

from weicha_desktop import cli
from weicha_desktop.cli import patrol


def test_commands_after_the_first_build_no_parser(monkeypatch, capsys):
    built = []
    real = cli.build_parser

    def counting():
        built.append(1)
        return real()

    monkeypatch.setattr(cli, "build_parser", counting)
    cli._parser.cache_clear()
    for _ in range(3):
        with pytest.raises(SystemExit) as e:
            cli.main(["patrol", "new", "--no-such-option"])
        assert e.value.code == 2
    assert built == [1]
    cli._parser.cache_clear()  # the next test's parser is the real build_parser's


def test_a_list_default_is_not_shared_between_commands(monkeypatch):
    seen = []

    def handler(args):
        seen.append(list(args.set))
        args.set.append("姓名=张三")  # a handler that changes its list must not change the next one's
        return 0

    cli._parser()  # built with the real handler: a parser built while it is patched would keep
    monkeypatch.setattr(patrol, "cmd_new", handler)  # the test's handler for the whole process
    assert cli.main(["patrol", "new"]) == 0
    assert cli.main(["patrol", "new"]) == 0
    assert cli.main(["patrol", "new", "--set", "a=b"]) == 0
    assert seen == [[], [], ["a=b"]]


def test_help_and_usage_errors_are_those_of_a_fresh_parser(capsys):
    fresh = cli.build_parser()
    for argv in (["--help"], ["patrol", "--help"], ["case", "new", "--help"], ["patrol", "new", "--bogus"],
                 ["no-such-command"]):
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        got = capsys.readouterr()
        with pytest.raises(SystemExit) as f:
            fresh.parse_args(argv)
        want = capsys.readouterr()
        assert (e.value.code, got.out, got.err) == (f.value.code, want.out, want.err)
        assert e.value.code in (0, 2)


def test_the_server_cli_builds_its_parser_once_and_keeps_its_usage_errors(monkeypatch, capsys):
    from weicha_server import cli as server_cli

    built = []
    real = server_cli.build_parser
    monkeypatch.setattr(server_cli, "build_parser", lambda: built.append(1) or real())
    server_cli._parser.cache_clear()
    for argv in (["--data-dir", "x", "no-such-command"], ["--data-dir", "x", "users", "import"]):
        with pytest.raises(SystemExit) as e:
            server_cli.main(argv)
        got = capsys.readouterr().err
        with pytest.raises(SystemExit) as f:
            real().parse_args(argv)
        assert (e.value.code, got) == (f.value.code, capsys.readouterr().err) and e.value.code == 2
    assert built == [1]
    server_cli._parser.cache_clear()
