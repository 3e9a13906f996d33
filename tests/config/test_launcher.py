"""The `./sentra` command line (config/launcher.py): each command gets its own options, in the
order given, whatever comes first."""

from __future__ import annotations

import argparse

import pytest

from config import launcher


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[argparse.Namespace]:
    seen: list[argparse.Namespace] = []
    for name in ("command_reliability", "command_manage", "command_test"):
        monkeypatch.setattr(launcher, name, lambda args: seen.append(args) or 0)
    return seen


def test_the_reliability_command_gets_its_own_options_first_or_not(handled) -> None:
    launcher.main(["reliability", "--scenario", "broker stopped", "--after", "4"])
    launcher.main(["reliability"])
    assert handled[0].rest == ["--scenario", "broker stopped", "--after", "4"]
    assert handled[1].rest == []


def test_manage_and_test_keep_their_arguments_in_order(handled) -> None:
    launcher.main(["manage", "--verbosity=2", "check"])
    launcher.main(["test", "--no-browser", "-x", "tests/config"])
    assert handled[0].rest == ["--verbosity=2", "check"]
    assert handled[1].no_browser
    assert handled[1].pytest_args == ["-x", "tests/config"]


def test_an_unknown_option_of_a_command_without_options_is_refused(handled, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        launcher.main(["run", "--fast"])
    assert stop.value.code == 2
    assert "unrecognized arguments: --fast" in capsys.readouterr().err
    assert handled == []
