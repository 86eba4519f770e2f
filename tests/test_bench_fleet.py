"""The fleet benchmark runs end to end: simulator process, one Home Assistant process per figure."""

import json
import subprocess
import sys
from pathlib import Path

from .helpers.addresses import next_address

REPO = Path(__file__).resolve().parent.parent
FIGURES = ("cycle_p50_s", "cycle_p95_s", "cpu_s_per_miner_poll", "peak_rss_mb")


def test_bench_fleet_reports_both_implementations(loopback: None) -> None:
    first = next_address()
    for _ in range(2):
        next_address()
    command = [sys.executable, "scripts/bench_fleet.py", "--json", "--sizes", "3", "--cycles", "2"]
    completed = subprocess.run(  # noqa: S603  # our own script, fixed arguments
        [*command, "--first-address", first],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    rows = {row["impl"]: row for row in report["fleet"]}
    assert set(rows) == {"hashheat", "baseline"}
    for row in rows.values():
        assert row["n"] == 3
        assert row["cycles"] == 2
        assert len(row["cycle_times_s"]) == 2
        assert row["failed_polls"] == 0
        assert row["max_loop_stall_ms"] >= 0
        assert all(row[key] > 0 for key in FIGURES), row
    assert rows["hashheat"]["entities"] > 3 * 20  # the integration's entities are part of it
    assert rows["baseline"]["entities"] == 0
    # The targets are stated at 500 miners only.
    assert set(report["targets"].values()) == {None}
