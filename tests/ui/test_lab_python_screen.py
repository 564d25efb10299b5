"""The Lab screen shows the Python runs: threads, Value, costs and speed-ups, and which Python."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Static

from bankgame.screens.lab import LabScreen, lab_rows
from bankgame.widgets.bar_chart import BarChart
from bankgame.workers.lab import LabResult, LabRun
from screens_support import ScreensApp, fake_lab


def python_lab(processes: int | None, ops: int, progress: Any = None) -> LabResult:
    """Fixed numbers for every run, in the real lab's result type (nothing is measured)."""
    races = fake_lab(processes, ops).runs
    n = processes or 2
    return LabResult(n, ops, (
        *races,
        LabRun("threads-augmented", 10 * ops, 10 * ops, 0, 0.09, 10 * ops / 0.09, n, 0.045),
        LabRun("threads-call", 10 * ops, 6 * ops, 4 * ops, 0.06, 10 * ops / 0.06, n, 0.03),
        LabRun("threads-locked", 10 * ops, 10 * ops, 0, 0.7, 10 * ops / 0.7, n, 0.35),
        LabRun("value-default-lock", ops, ops * 3 // 4, ops // 4, 0.2, ops / 0.2, n, 1.0),
        LabRun("value-get-lock", ops, ops, 0, 0.35, ops / 0.35, n, 1.75),
        LabRun("cost-queue", ops // 4, ops // 4, 0, 0.9, ops / 4 / 0.9, 2, 18.0),
        LabRun("cost-pipe", ops // 4, ops // 4, 0, 0.35, ops / 4 / 0.35, 2, 7.0),
        LabRun("cost-shared-memory", ops // 4, ops // 4, 0, 0.05, ops / 4 / 0.05, 2, 1.0),
        LabRun("speedup-threads", ops // 10, ops // 10, 0, 0.6, ops / 10 / 0.6, n, 30.0, 0.97),
        LabRun("speedup-processes", ops // 10, ops // 10, 0, 0.31, ops / 10 / 0.31, n, 15.5, 1.9),
    ), "CPython 3.11.7", True)


class PythonLabApp(ScreensApp):
    TITLE = "PythonLabApp"  # the snapshot's window title, as it was taken

    def __init__(self) -> None:
        super().__init__(lambda: LabScreen(processes=2, ops=200_000))
        self.lab_runner = python_lab


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_the_lab_with_the_python_runs(snap_compare: Any) -> None:
    assert snap_compare(PythonLabApp(), terminal_size=(120, 50), run_before=settle)


async def test_every_run_has_a_row_and_the_charts_split_races_from_costs() -> None:
    app = PythonLabApp()
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#lab-table", DataTable).row_count == 13
        assert len(screen.query_one("#lab-cost", BarChart).state.bars) == 3
        assert len(screen.query_one("#lab-speedup", BarChart).state.bars) == 2
        assert len(screen.query_one("#lab-speed", BarChart).state.bars) == 3  # processes only: one scale
        status = str(screen.query_one("#lab-status", Static).render())
        assert "CPython 3.11.7 · GIL on" in status and "get_lock()" in status


def test_rows_carry_the_cost_and_the_speedup() -> None:
    rows = {row.method: row for row in lab_rows(python_lab(2, 1000))}
    assert rows["cost-pipe"].per_op_us == 7.0 and rows["speedup-processes"].speedup == 1.9
    assert rows["shared-locked"].per_op_us > 0  # worked out from the wall time when a run does not say
