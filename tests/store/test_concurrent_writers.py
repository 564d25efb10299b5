"""Games sharing one save (web tabs do) never lose a day to "database is locked"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bankgame.store import open_store

WRITERS = 8
DAYS = 300
WRITER = r"""
import json, sys
from bankgame.store import open_store
store = open_store(sys.argv[1])
problems = []
store.on_problem = problems.append
sys.stdout.write("ready\n"); sys.stdout.flush()
sys.stdin.readline()  # every writer starts at once
unsaved = 0
for n in range(int(sys.argv[2])):
    if not store.record_day("opening-day", stars=n % 4, score=n, seed=n, details={"writer": sys.argv[3]}).saved:
        unsaved += 1
    store.set_setting("speed", float(1 + n % 4))
print(json.dumps({"unsaved": unsaved, "problems": problems[:3], "notice": store.notice}))
"""


def test_eight_writers_on_one_save_lose_no_day(bankgame_home: Path) -> None:
    open_store(bankgame_home).close()  # the save exists before they race for it
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(bankgame_home), str(DAYS), str(n)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for n in range(WRITERS)
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:  # go
        assert writer.stdin is not None
        writer.stdin.write("\n")
        writer.stdin.flush()
    results = []
    for writer in writers:
        out, _ = writer.communicate(timeout=600)
        assert writer.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(result == {"unsaved": 0, "problems": [], "notice": ""} for result in results), results
    with open_store(bankgame_home) as store:
        days = store.history(limit=10**6)
        assert len(days) == WRITERS * DAYS
        for n in range(WRITERS):
            assert sum(day.details["writer"] == str(n) for day in days) == DAYS
        assert store.progress()["opening-day"].plays == WRITERS * DAYS
