"""The tutorial's controller: steps as data, completed by the player's doing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankgame.day import open_day
from bankgame.engine import LevelError
from bankgame.store import Store, TutorialState, open_store
from bankgame.tutorial import Chapter, Step, Tutorial, load_chapter, load_tutorial

from .walk import walk

WIDGET_IDS = {"queue", "desks", "tickets", "mailbox", "ledger", "integrity", "deadlocks", "status", "goals", "stats"}


def test_the_tutorial_teaches_l1_to_l8() -> None:
    chapters = load_tutorial()
    taught = {lesson for chapter in chapters for lesson in chapter.lessons}
    assert taught == {f"L{n}" for n in range(1, 9)}
    for chapter in chapters:
        for step in chapter.steps:
            assert step.highlight in WIDGET_IDS, (chapter.id, step.id)
            assert len(step.text) < 300, f"{chapter.id}/{step.id} is a wall of text"


def test_the_events_the_brief_names_each_complete_a_step() -> None:
    untils = {step.until.partition(":")[0] + (":" + step.until.partition(":")[2] if step.until.startswith(("error", "mode")) else "")
              for chapter in load_tutorial() for step in chapter.steps}
    for needed in ("action", "ticket_on", "error:lost_update", "mode:message", "clerk_recovered", "deadlock"):
        assert needed in untils


def test_a_player_doing_what_each_step_asks_reaches_the_end(bankgame_home: Path) -> None:
    store = open_store()
    tutorial = Tutorial(load_tutorial(), store)
    assert tutorial.status == "new" and tutorial.position == "one-cashier/doors"
    needed = walk(tutorial)
    assert tutorial.finished and tutorial.status == "done"
    assert tutorial.progress() == (len(needed), len(needed))
    assert store.tutorial() == TutorialState("", "done")
    # The branch's moments come quickly: nobody waits long for a lesson.
    assert max(needed.values()) <= 40, needed


def test_it_resumes_in_the_chapter_it_was_left_in(bankgame_home: Path) -> None:
    with open_store() as store:
        tutorial = Tutorial(load_tutorial(), store)
        walk(tutorial, steps=6)
        left_at = tutorial.position
        assert left_at == "rush-hour/ticket-a"
    with open_store() as store:
        assert store.tutorial() == TutorialState(left_at, "started")
        again = Tutorial(load_tutorial(), store)
        # The chapter it was left in starts again: a fresh day, from its first step.
        assert again.position == "rush-hour/rush" and again.status == "started"
        assert again.progress()[0] == 4
        walk(again)
        assert again.status == "done"
        assert Tutorial(load_tutorial(), store).finished
        assert Tutorial(load_tutorial(), store, restart=True).position == "one-cashier/doors"


def test_it_can_be_skipped_and_restarted() -> None:
    store = Store.memory()
    tutorial = Tutorial(load_tutorial(), store)
    tutorial.feed("action", "toggle_pause")
    tutorial.skip()
    assert tutorial.finished and tutorial.step is None and tutorial.position == ""
    assert store.tutorial().status == "skipped"
    assert not tutorial.feed("next")
    assert Tutorial(load_tutorial(), store).finished
    tutorial.restart()
    assert tutorial.position == "one-cashier/doors" and store.tutorial() == TutorialState("one-cashier/doors", "started")


def test_only_the_asked_event_completes_a_step() -> None:
    tutorial = Tutorial(load_tutorial())
    assert not tutorial.feed("next")
    assert not tutorial.feed("action", "step")
    assert tutorial.feed("action", "toggle_pause")
    assert tutorial.position == "one-cashier/program"
    _, branch = open_day("sandbox", 1, tutorial.chapter.day)
    assert not tutorial.observe(branch)  # nobody served yet
    assert not tutorial.feed("next")


def test_one_step_at_a_time_so_every_text_is_seen() -> None:
    chapter = Chapter("c", "C", (
        Step("a", "A", "ticket_on:A"), Step("b", "B", "ticket_on:B"), Step("c", "C", "next"),
    ), day={"accounts": 2})
    tutorial = Tutorial([chapter])
    _, branch = open_day("sandbox", 1, chapter.day)
    branch.place_ticket("A")
    branch.place_ticket("B")
    assert tutorial.observe(branch) and tutorial.position == "c/b"
    assert tutorial.observe(branch) and tutorial.position == "c/c"
    assert not tutorial.observe(branch)  # "next" is the player's to press
    assert tutorial.feed("next") and tutorial.status == "done"


def test_the_hint_comes_after_its_delay() -> None:
    tutorial = Tutorial(load_tutorial())
    step = tutorial.step
    assert step is not None and step.hint
    assert tutorial.hint(0) == "" and tutorial.hint(step.hint_after - 0.1) == ""
    assert tutorial.hint(step.hint_after) == step.hint


def test_a_saved_position_that_no_longer_exists_starts_over() -> None:
    store = Store.memory()
    store.set_tutorial("gone-chapter/gone-step")
    assert Tutorial(load_tutorial(), store).position == "one-cashier/doors"
    store.set_tutorial("rush-hour/gone-step")
    assert Tutorial(load_tutorial(), store).position == "rush-hour/rush"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('id = "x"\ntitle = "X"\n', "steps"),
        ('id = "x"\ntitle = "X"\ncolour = 1\n', "colour"),
        ('id = "x"\ntitle = "X"\n[[steps]]\nid = "a"\ntext = "t"\nuntil = "moon:full"\n', "steps[0].until"),
        ('id = "x"\ntitle = "X"\n[[steps]]\nid = "a"\ntext = "t"\nuntil = "served:lots"\n', "steps[0].until"),
        ('id = "x"\ntitle = "X"\n[[steps]]\nid = "a"\ntext = "t"\nuntil = "ticket_on"\n', "steps[0].until"),
        ('id = "x"\ntitle = "X"\n[[steps]]\nid = "a"\nuntil = "next"\n', "steps[0].text"),
        ('id = "x"\ntitle = "X"\n[day]\ncashiers = 99\n[[steps]]\nid = "a"\ntext = "t"\nuntil = "next"\n', "day.cashiers"),
        ('id = "x"\ntitle = "X"\nlevel = "moon"\n[[steps]]\nid = "a"\ntext = "t"\nuntil = "next"\n', "level"),
    ],
)
def test_a_bad_chapter_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "01-bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LevelError) as caught:
        load_chapter(path)
    assert str(path) in str(caught.value) and f"'{key}'" in str(caught.value)


def test_the_controller_is_textual_free() -> None:
    import json
    import subprocess
    import sys

    code = "import json, sys, bankgame.tutorial, bankgame.store; print(json.dumps(sorted(m for m in sys.modules if m.startswith('textual'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_a_stuck_player_can_move_on() -> None:
    tutorial = Tutorial(load_tutorial())
    assert tutorial.move_on() and tutorial.position == "one-cashier/program"
    tutorial.skip()
    assert not tutorial.move_on()
