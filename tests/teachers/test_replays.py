"""Replay files: saved by simulate, played by replay, the same report byte for byte; damaged ones refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bankgame import __version__
from bankgame.cli import main
from bankgame.engine import level_ids
from bankgame.replays import ReplayError, read_replay


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BANKGAME_HOME", str(tmp_path / "home"))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("level", level_ids())
def test_save_replay_then_replay_json_is_the_same_report_for_every_level(level: str, tmp_path: Path, capsys) -> None:
    file = tmp_path / f"{level}.toml"
    simulated = run(capsys, "simulate", "--level", level, "--json", "--save-replay", str(file))
    assert run(capsys, "replay", str(file), "--json") == simulated
    assert read_replay(file).level == level


@pytest.mark.parametrize("argv", [
    ["--level", "sandbox", "--mode", "message", "--kill-clerk-every", "5", "--seed", "11"],
    ["--level", "transfer-desk", "--tickets", "accounts", "--lock-order", "account", "--seed", "3"],
    ["--level", "sandbox", "--cashiers", "6", "--customers", "50", "--tickets", "vault"],
])
def test_options_and_killed_clerks_replay_the_same(argv: list[str], tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    simulated = run(capsys, "simulate", *argv, "--json", "--save-replay", str(file))
    assert run(capsys, "replay", str(file), "--json") == simulated
    text = run(capsys, "simulate", *argv)
    assert run(capsys, "replay", str(file), "--text") == text


def test_a_replay_on_real_processes_gives_the_same_report(tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    simulated = run(capsys, "simulate", "--level", "back-office", "--kill-clerk-every", "9", "--json",
                    "--save-replay", str(file))
    assert run(capsys, "replay", str(file), "--json", "--backend", "process") == simulated


def test_the_file_is_small_readable_toml_with_the_stamped_actions(tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    run(capsys, "simulate", "--level", "back-office", "--kill-clerk-every", "20", "--save-replay", str(file))
    text = file.read_text()
    assert f'version = "{__version__}"' in text and 'level = "back-office"' in text
    assert '[20, "kill_clerk", "1"],' in text
    assert len(text) < 2000
    replay = read_replay(file)
    assert replay.actions[0] == (20, "kill_clerk", "1")


DAMAGES = [
    (lambda t: t.replace("format = 1", "format = [1"), "not valid TOML"),
    (lambda t: t.replace('"kill_clerk"', '"kill_clark"', 1), "unknown action 'kill_clark'"),
    (lambda t: t.replace('"kill_clerk", "1"', '"kill_clerk", "9"', 1), "no clerk '9'"),
    (lambda t: t.replace("[20, ", "[-3, ", 1), "the tick must be 0 or more"),
    (lambda t: t.replace('level = "back-office"', 'level = "back-offices"'), "there is no level 'back-offices'"),
    (lambda t: t.replace("seed = ", "seeds = "), "key 'seeds'"),
    (lambda t: t.replace("[options]", "[options]\ncashiers = 99"), "key 'options.cashiers': must be between 1 and 16"),
    (lambda t: t[: len(t) // 3], "not valid TOML"),
    (lambda t: "\x00\x01binary", "not valid TOML"),
]


@pytest.mark.parametrize(("damage", "reason"), DAMAGES)
def test_a_damaged_replay_is_refused_naming_the_file_and_the_reason(damage, reason: str, tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    run(capsys, "simulate", "--level", "back-office", "--kill-clerk-every", "20", "--save-replay", str(file))
    file.write_text(damage(file.read_text()))
    for argv in (["replay", str(file), "--json"], ["replay", str(file)]):
        error = refused(capsys, *argv)
        assert str(file) in error and reason in error, error


def test_a_replay_from_another_version_is_refused(tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    run(capsys, "simulate", "--level", "rush-hour", "--save-replay", str(file))
    file.write_text(file.read_text().replace(f'version = "{__version__}"', 'version = "0.0.9"'))
    error = refused(capsys, "replay", str(file), "--json")
    assert str(file) in error and f"saved by bankgame 0.0.9; this is bankgame {__version__}" in error
    with pytest.raises(ReplayError, match="key 'version'"):
        read_replay(file)


def test_a_missing_replay_is_refused(tmp_path: Path, capsys) -> None:
    error = refused(capsys, "replay", str(tmp_path / "nope.toml"), "--json")
    assert "nope.toml: cannot be read" in error


def test_save_replay_into_a_folder_that_cannot_be_made_exits_2(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    error = refused(capsys, "simulate", "--level", "rush-hour", "--save-replay", str(blocker / "day.toml"))
    assert "--save-replay" in error and "cannot be written" in error


# Every kind of action a player can take on screen or with simulate --action, saved and replayed.
EVERY_ACTION = [
    ["--level", "rush-hour", "--action", "3:place:A", "--action", "40:remove:A", "--action", "41:place:vault",
     "--action", "60:scope:write", "--action", "80:order:account"],
    ["--level", "hot-account", "--action", "10:mode:message", "--action", "30:clerks:3", "--action", "90:clerks:1"],
    ["--level", "second-branch", "--action", "12:desks:5", "--action", "70:desks:3", "--action", "20:kill-clerk:0"],
]


@pytest.mark.parametrize("argv", EVERY_ACTION, ids=["tickets", "clerks", "desks"])
def test_every_kind_of_action_replays_the_same(argv: list[str], tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    simulated = run(capsys, "simulate", *argv, "--json", "--save-replay", str(file))
    assert run(capsys, "replay", str(file), "--json") == simulated
    assert len(read_replay(file).actions) == argv.count("--action")


def test_every_action_a_day_records_can_be_replayed() -> None:
    import inspect
    import re

    from bankgame.engine.branch import Branch
    from bankgame.engine.replay import ACTION_KINDS

    lines = [line for line in inspect.getsource(Branch).splitlines() if "self.actions.append((self.tick, " in line]
    recorded = {kind for line in lines for kind in re.findall(r'"(\w+)"', line)}
    assert {"ticket_on", "desks", "clerks", "tickets_at_once"} <= recorded
    assert recorded == set(ACTION_KINDS)


ACTIONS_THE_DAY_DOES_NOT_OFFER = [
    ("rush-hour", '[5, "mode", "message"]', "this level has no back office"),
    ("second-branch", '[5, "mode", "shared"]', "this level has no shared mode"),
    ("rush-hour", '[5, "desks", "2"]', "the number of open desks is fixed on this level"),
    ("second-branch", '[5, "desks", "9"]', "between 1 and 6 desks can be open"),
    ("rush-hour", '[5, "clerks", "2"]', "the number of clerks is fixed on this level"),
    ("hot-account", '[5, "clerks", "0"]', "between 1 and 4 clerks can work here"),
    ("rush-hour", '[5, "tickets_at_once", "A,Q"]', "Q"),
]


@pytest.mark.parametrize(("level", "action", "reason"), ACTIONS_THE_DAY_DOES_NOT_OFFER)
def test_an_action_the_day_does_not_offer_is_refused_as_simulate_refuses_it(
        level: str, action: str, reason: str, tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    run(capsys, "simulate", "--level", level, "--save-replay", str(file))
    file.write_text(file.read_text().replace("actions = [\n", f"actions = [\n  {action},\n"))
    error = refused(capsys, "replay", str(file), "--json")
    assert f"{file}: key 'actions[0]': " in error and reason in error, error


def test_a_second_branch_day_saved_from_real_processes_replays(tmp_path: Path, capsys) -> None:
    """The branch screen saves the day with its backend's name: Second Branch's clerk is across TCP."""
    from bankgame.day import open_day
    from bankgame.engine import make_report
    from bankgame.engine.levels import load_level
    from bankgame.replays import make_replay, write_replay

    level, branch = open_day("second-branch", 5, {"customers": 10}, "process")
    with branch:
        branch.set_desks(3)
        while not branch.over:
            branch.step_tick()
        played = make_report(branch, level.id, level.goals).to_json()
        assert branch.backend.name == "process+tcp"
        file = write_replay(tmp_path / "day.toml", make_replay(branch, load_level("second-branch")))
    assert read_replay(file).backend == "process+tcp"
    replayed = json.loads(run(capsys, "replay", str(file), "--json"))
    original = json.loads(played)
    # Not the day but what the network measured on the way: latencies, and the bytes of the frames sent
    # across TCP (the in-process replay counts the pickled messages).
    assert original.pop("remote")["messages"] > 0 and "remote" not in replayed
    assert replayed["messages"].pop("sent") == original["messages"].pop("sent") > 0
    replayed["messages"].pop("bytes_copied"), original["messages"].pop("bytes_copied")
    assert replayed == original


def test_a_second_branch_replay_on_real_processes_puts_its_clerk_across_tcp(tmp_path: Path, capsys) -> None:
    """Replayed on real processes, the day is played as it was: its remote clerk across a socket."""
    file = tmp_path / "day.toml"
    simulated = json.loads(run(capsys, "simulate", "--level", "second-branch", "--customers", "8", "--json",
                               "--save-replay", str(file)))
    replayed = json.loads(run(capsys, "replay", str(file), "--json", "--backend", "process"))
    assert replayed.pop("remote")["messages"] > 0  # what the network measured: only a real socket has it
    assert "remote" not in simulated
    replayed["messages"].pop("bytes_copied"), simulated["messages"].pop("bytes_copied")
    assert replayed == simulated


def test_a_replay_with_an_unknown_backend_is_refused(tmp_path: Path, capsys) -> None:
    file = tmp_path / "day.toml"
    run(capsys, "simulate", "--level", "rush-hour", "--save-replay", str(file))
    file.write_text(file.read_text().replace('backend = "inline"', 'backend = "gpu"'))
    error = refused(capsys, "replay", str(file), "--json")
    assert f"{file}: key 'backend': must be inline or process" in error
