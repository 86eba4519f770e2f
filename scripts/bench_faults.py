"""Fault campaign summary: runs tests/test_faults.py and prints what each fault kind did.

Every case of the campaign is a test in CI; this runs them (in parallel) with
``HASHHEAT_FAULT_REPORT`` set, so each case appends its outcome to a report, and prints per fault
kind: how often it was injected (runs: per firmware family), the polls run through it, the
exceptions that escaped, the energy counted, lost and counted twice (Wh, over the site's and the
miners' electricity and the site's heat counters) and the money counters' error (EUR). Exit
status 1 when a case failed or did not report. ``--json`` prints the figures as JSON.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CAMPAIGN = "tests/test_faults.py"


@dataclass(kw_only=True, slots=True)
class KindSummary:
    """The runs of one fault kind, added up."""

    kind: str
    runs: int = 0
    families: list[str] = field(default_factory=list)
    polls: int = 0
    exceptions: int = 0
    wh_counted: float = 0.0
    wh_lost: float = 0.0
    wh_double: float = 0.0
    money_error: float = 0.0
    failed: int = 0

    def add(self, outcome: dict[str, object]) -> None:
        """Add one case's outcome."""
        self.runs += 1
        if (family := str(outcome.get("family", "?"))) not in self.families:
            self.families.append(family)
        self.polls += int(str(outcome.get("polls", 0)))
        self.exceptions += int(str(outcome.get("exceptions", 0)))
        self.wh_counted += float(str(outcome.get("wh_counted", 0.0)))
        self.wh_lost += float(str(outcome.get("wh_lost", 0.0)))
        self.wh_double += float(str(outcome.get("wh_double", 0.0)))
        self.money_error += float(str(outcome.get("money_error", 0.0)))
        self.failed += 0 if outcome.get("passed") is True else 1


def run_campaign(workers: int, report: Path) -> tuple[int, int]:
    """Run the campaign's tests; return pytest's exit status and how many tests it collected."""
    env = {**os.environ, "HASHHEAT_FAULT_REPORT": str(report), "PYTHONPATH": str(REPO)}
    base = [sys.executable, "-m", "pytest", CAMPAIGN, "-p", "no:cacheprovider"]
    collected = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [*base, "--collect-only", "-q"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    count = sum(1 for line in collected.stdout.splitlines() if "::" in line)
    status = subprocess.run(  # noqa: S603
        [*base, "-q", "--show-capture=no", "--tb=line", "-n", str(workers)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if status.returncode != 0:
        failures = [line for line in status.stdout.splitlines() if line.startswith("FAILED")]
        sys.stderr.write("\n".join(failures or status.stdout.splitlines()[-20:]) + "\n")
    return status.returncode, count


def summarise(report: Path) -> list[KindSummary]:
    """The report's cases, grouped by fault kind in the order they ran."""
    kinds: dict[str, KindSummary] = {}
    lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
    for line in lines:
        outcome = json.loads(line)
        kind = str(outcome.get("kind") or outcome["case"])
        kinds.setdefault(kind, KindSummary(kind=kind)).add(outcome)
    return sorted(kinds.values(), key=lambda summary: summary.kind)


def print_table(kinds: list[KindSummary], *, collected: int, status: int) -> None:
    """The summary as a table."""
    total = KindSummary(kind="total")
    for summary in kinds:
        total.runs += summary.runs
        total.polls += summary.polls
        total.exceptions += summary.exceptions
        total.wh_counted += summary.wh_counted
        total.wh_lost += summary.wh_lost
        total.wh_double += summary.wh_double
        total.money_error += summary.money_error
        total.failed += summary.failed
    missing = collected - total.runs
    print(
        f"Fault campaign: {len(kinds)} fault kinds injected, {total.runs} runs "
        f"({collected} tests), {total.failed + max(missing, 0)} failed"
    )
    header = (
        f"{'fault kind':<34}{'runs':>5}{'firmware':>14}{'polls':>6}{'exceptions':>11}"
        f"{'Wh counted':>11}{'Wh lost':>9}{'Wh double':>10}{'EUR error':>10}  result"
    )
    print(header)
    print("-" * len(header))
    for summary in [*kinds, total]:
        if summary is total:
            print("-" * len(header))
        families = "+".join(summary.families) if summary.families else ""
        print(
            f"{summary.kind:<34}{summary.runs:>5}{families:>14}{summary.polls:>6}"
            f"{summary.exceptions:>11}{summary.wh_counted:>11.1f}{summary.wh_lost:>9.3f}"
            f"{summary.wh_double:>10.3f}{summary.money_error:>10.1g}"
            f"  {'pass' if summary.failed == 0 else 'FAIL'}"
        )
    if missing > 0:
        print(f"{missing} cases did not report (crashed or were not run)")
    print(f"pytest exit status: {status}")


def main() -> int:
    """Run the campaign and print its summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--workers", type=int, default=min(4, os.cpu_count() or 1), help="pytest-xdist workers"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "faults.jsonl"
        status, collected = run_campaign(args.workers, report)
        kinds = summarise(report)
    runs = sum(summary.runs for summary in kinds)
    failed = status != 0 or runs != collected or any(summary.failed for summary in kinds)
    if args.json:
        json.dump(
            {
                "fault_kinds": len(kinds),
                "runs": runs,
                "tests": collected,
                "exceptions_escaped": sum(summary.exceptions for summary in kinds),
                "wh_counted": sum(summary.wh_counted for summary in kinds),
                "wh_lost": sum(summary.wh_lost for summary in kinds),
                "wh_double_counted": sum(summary.wh_double for summary in kinds),
                "passed": not failed,
                "kinds": [asdict(summary) for summary in kinds],
            },
            sys.stdout,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        print_table(kinds, collected=collected, status=status)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
