"""Fleet benchmark: one Home Assistant site polling 10-500 simulated miners, against the naive way.

The simulated miners (``python -m sim fleet``) run in a process of their own, so their CPU is not
counted. Each (implementation, fleet size) is measured in a fresh Home Assistant process:

* ``hashheat``: the integration as users run it: one site config entry with one miner subentry per
  miner, set up through Home Assistant (entities included); a cycle is the coordinator's refresh.
* ``baseline``: pyasic used the naive way (the hass-miner pattern): one DataUpdateCoordinator per
  miner whose update runs ``pyasic.get_miner(host)`` then ``miner.get_data()`` (everything pyasic
  reads, no filter), every poll, no concurrency bound; a cycle refreshes all of them at once. No
  entities (hass-miner makes one per value, board and fan), which flatters the baseline.

Per cycle: wall time until every miner is polled. Over the measured cycles: CPU seconds of the Home
Assistant process per miner-poll, the longest lateness of a 5 ms heartbeat on the event loop, and
the process's peak RSS (setup included). Automatic polling is off (the entries' "polling" system
option) so only the cycles the benchmark starts run; measuring starts after Home Assistant's
one-time save of the registries the setup filled. Prints a table, or JSON with --json.
"""

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sim.__main__ import DEFAULT_MIX

if TYPE_CHECKING:  # the parent process never imports Home Assistant
    from homeassistant.core import HomeAssistant

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10, 100, 500)
DEFAULT_CYCLES = 10
# Tests use 127.100.0.0-127.199.255.255; the benchmark stays out of their way.
DEFAULT_FIRST_ADDRESS = "127.220.0.1"
IMPLS = ("hashheat", "baseline")
HEARTBEAT_S = 0.005
HASHPRICE = 0.05  # a fixed hashprice: the site needs no network data (no internet)
CHILD_TIMEOUT_S = 1800.0
TARGET_P95_S = 5.0
TARGET_CPU_RATIO = 1 / 3
TARGET_STALL_MS = 50.0
TARGET_N = 500
BASELINE_LOGGER = logging.getLogger("naive_miner")
BASELINE_INTERVAL = timedelta(seconds=10)  # hass-miner's (automatic polling is off anyway)


@dataclass(kw_only=True, slots=True)
class Result:
    """Figures of one implementation at one fleet size."""

    impl: str
    n: int
    cycles: int
    cycle_p50_s: float
    cycle_p95_s: float
    cycle_max_s: float
    cpu_s_per_miner_poll: float
    peak_rss_mb: float
    max_loop_stall_ms: float
    failed_polls: int
    setup_s: float
    entities: int
    entity_limit_hit: bool
    cycle_times_s: list[float] = field(default_factory=list)


def raise_fd_limit() -> None:
    """Raise the soft limit of open files to the hard one (500 servers and as many clients)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear-interpolated percentile (``fraction`` in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class EntityLimitWatch(logging.Handler):
    """Notices Home Assistant refusing entities past its limit per config entry (10 000)."""

    def __init__(self) -> None:
        """Watch from now on (attach to the root logger)."""
        super().__init__(logging.WARNING)
        self.hit = False

    def emit(self, record: logging.LogRecord) -> None:
        """Remember the warning Home Assistant logs when it drops an entity."""
        if "enabled entities for config entry" in str(record.msg):
            self.hit = True


class Heartbeat:
    """A task that sleeps 5 ms in a loop; how late it wakes is how long the loop was blocked."""

    def __init__(self) -> None:
        """Not measuring until ``measuring`` is set."""
        self.max_late_s = 0.0
        self.measuring = False
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(HEARTBEAT_S)
            late = loop.time() - start - HEARTBEAT_S
            if self.measuring and late > self.max_late_s:
                self.max_late_s = late

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Heartbeat]:
        """Beat while the block runs."""
        self._task = asyncio.create_task(self._beat())
        try:
            yield self
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# --- measurement, in a fresh child process ---------------------------------------------------


async def _measure(impl: str, hosts: list[str], cycles: int) -> Result:
    """Start Home Assistant, set the implementation up, run warm-up and measured cycles."""
    # Imported here: the parent process never loads Home Assistant.
    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.helpers.registry import SAVE_DELAY  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_test_home_assistant,
    )

    with tempfile.TemporaryDirectory(prefix="hashheat-bench-") as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            # What pytest-homeassistant-custom-component's enable_custom_integrations does.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            limit = EntityLimitWatch()
            logging.getLogger().addHandler(limit)
            setup_start = time.perf_counter()
            if impl == "hashheat":
                cycle, polls_failed = await _setup_hashheat(hass, hosts)
            else:
                cycle, polls_failed = await _setup_baseline(hass, hosts)
            setup_s = time.perf_counter() - setup_start
            await hass.async_block_till_done()
            await cycle()  # warm-up: lazy imports, first sessions, caches
            # Home Assistant saves its registries once, SAVE_DELAY seconds after the entities are
            # created, in a worker thread that holds the interpreter lock for a while (about
            # 150 ms at 9,700 entities). That is setup, not polling: it passes before measuring.
            await asyncio.sleep(SAVE_DELAY + 1)
            await hass.async_block_till_done()
            gc.collect()
            failed_before = polls_failed()
            times: list[float] = []
            async with Heartbeat().running() as heartbeat:
                await asyncio.sleep(HEARTBEAT_S * 4)
                heartbeat.measuring = True
                cpu_start = time.process_time()
                for _ in range(cycles):
                    start = time.perf_counter()
                    await cycle()
                    times.append(time.perf_counter() - start)
                cpu = time.process_time() - cpu_start
                heartbeat.measuring = False
            failed = polls_failed() - failed_before
            entities = len(hass.states.async_all())
            await hass.async_stop(force=True)
    return Result(
        impl=impl,
        n=len(hosts),
        cycles=cycles,
        cycle_p50_s=round(statistics.median(times), 4),
        cycle_p95_s=round(percentile(times, 0.95), 4),
        cycle_max_s=round(max(times), 4),
        cpu_s_per_miner_poll=round(cpu / (len(hosts) * cycles), 6),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        max_loop_stall_ms=round(heartbeat.max_late_s * 1000, 1),
        failed_polls=failed,
        setup_s=round(setup_s, 2),
        entities=entities,
        entity_limit_hit=limit.hit,
        cycle_times_s=[round(t, 4) for t in times],
    )


type Cycle = Callable[[], Awaitable[None]]


async def _setup_hashheat(hass: HomeAssistant, hosts: list[str]) -> tuple[Cycle, Callable[[], int]]:
    """One site with a miner subentry per host, set up as Home Assistant does it."""
    from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData  # noqa: PLC0415
    from homeassistant.const import CONF_HOST  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: PLC0415

    from custom_components.hashheat.const import (  # noqa: PLC0415
        CONF_HASHPRICE,
        CONF_REVENUE_SOURCE,
        DOMAIN,
        SUBENTRY_MINER,
        RevenueSource,
    )
    from custom_components.hashheat.coordinator import HashHeatSiteCoordinator  # noqa: PLC0415

    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bench site",
        options={
            CONF_REVENUE_SOURCE: RevenueSource.FIXED_HASHPRICE.value,
            CONF_HASHPRICE: HASHPRICE,
        },
        pref_disable_polling=True,
        subentries_data=[
            ConfigSubentryData(
                data={CONF_HOST: host},
                subentry_type=SUBENTRY_MINER,
                title=f"Miner {host}",
                unique_id=host,
            )
            for host in hosts
        ],
    )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("the site did not set up")
    await hass.async_block_till_done()
    if entry.state is not ConfigEntryState.LOADED:
        raise RuntimeError(f"the site is {entry.state}")
    coordinator: HashHeatSiteCoordinator = entry.runtime_data
    failures = 0

    async def cycle() -> None:
        nonlocal failures
        await coordinator.async_refresh()
        await hass.async_block_till_done()  # entities may be told in slices
        failures += len(coordinator.miners) - len(coordinator.data.readings)

    return cycle, lambda: failures


async def _setup_baseline(hass: HomeAssistant, hosts: list[str]) -> tuple[Cycle, Callable[[], int]]:
    """One DataUpdateCoordinator per miner that detects and reads everything on every poll."""
    from homeassistant.helpers.update_coordinator import (  # noqa: PLC0415
        DataUpdateCoordinator,
        UpdateFailed,
    )
    from pyasic.data import MinerData  # noqa: PLC0415
    from pyasic.errors import APIError  # noqa: PLC0415
    from pyasic.miners.base import BaseMiner  # noqa: PLC0415
    from pyasic.miners.factory import get_miner as pyasic_get_miner  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: PLC0415

    # Nothing of the integration is imported here (its pyasic_loader adjusts pyasic's import).
    # pyasic.get_miner is this function, annotated with an unbound TypeVar: give its real type.
    get_miner = cast("Callable[[str], Awaitable[BaseMiner | None]]", pyasic_get_miner)

    class NaiveMinerCoordinator(DataUpdateCoordinator[Any]):
        """hass-miner's pattern: detect, then read every data option pyasic has."""

        def __init__(self, host: str) -> None:
            entry = MockConfigEntry(domain="naive_miner", title=host, pref_disable_polling=True)
            entry.add_to_hass(hass)
            super().__init__(
                hass,
                BASELINE_LOGGER,
                config_entry=entry,
                name=host,
                update_interval=BASELINE_INTERVAL,
            )
            self.host = host

        async def _async_update_data(self) -> MinerData:
            miner = await get_miner(self.host)
            if miner is None:
                raise UpdateFailed("miner offline")
            try:
                return await miner.get_data()
            except APIError as err:
                raise UpdateFailed("API error") from err

    coordinators = [NaiveMinerCoordinator(host) for host in hosts]
    failures = 0

    async def cycle() -> None:
        nonlocal failures
        await asyncio.gather(*(c.async_refresh() for c in coordinators))
        await hass.async_block_till_done()
        failures += sum(not c.last_update_success for c in coordinators)

    await cycle()  # what each entry's first refresh does at setup
    return cycle, lambda: failures


def measure_in_this_process(impl: str, hosts: list[str], cycles: int) -> Result:
    """Run one measurement (the child process's whole job)."""
    raise_fd_limit()
    return asyncio.run(_measure(impl, hosts, cycles))


# --- orchestration ---------------------------------------------------------------------------


@contextlib.contextmanager
def simulated_fleet(count: int, first_address: str, models: str | None) -> Iterator[list[str]]:
    """Run ``python -m sim fleet`` in its own process; yield the miners' addresses."""
    command = [sys.executable, "-m", "sim", "fleet", "--count", str(count)]
    command += ["--first-address", first_address]
    if models:
        command += ["--models", models]
    # Its log goes to a file: a pipe nobody reads while it runs could fill up and block it.
    log = tempfile.TemporaryFile(mode="w+", prefix="hashheat-bench-sim-")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=REPO,
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        preexec_fn=raise_fd_limit,  # noqa: PLW1509
    )
    try:
        hosts = _read_hosts(process)
        if hosts is None:
            process.wait()
            log.seek(0)
            raise RuntimeError(f"the simulated fleet did not start: {log.read().strip()}")
        yield hosts
    finally:
        if process.poll() is None:
            process.terminate()  # not SIGINT: a shell's background job ignores it
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        log.close()


def _read_hosts(process: subprocess.Popen[str]) -> list[str] | None:
    """The addresses the simulator prints once it listens; None if it exits first."""
    assert process.stdout is not None  # noqa: S101
    hosts: list[str] = []
    for line in process.stdout:
        text = line.strip()
        if text.startswith("Press Ctrl-C"):
            return hosts
        if text.startswith("127."):
            hosts.append(text)
    return None


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def measure(impl: str, hosts: list[str], cycles: int) -> Result:
    """Run one measurement in a fresh Python process (its own peak RSS)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", impl]
    command += ["--cycles", str(cycles)]
    completed = subprocess.run(  # noqa: S603
        command,
        input="\n".join(hosts),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_child_env(),
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"{impl} at {len(hosts)} miners failed ({completed.returncode}):\n"
            + completed.stderr[-4000:]
        )
    return Result(**json.loads(lines[-1]))


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchSettings:
    """What to measure."""

    sizes: tuple[int, ...] = DEFAULT_SIZES
    cycles: int = DEFAULT_CYCLES
    baseline_cycles: int | None = None  # fewer cycles for the slow baseline, if wanted
    impls: tuple[str, ...] = IMPLS
    first_address: str = DEFAULT_FIRST_ADDRESS
    models: str | None = None  # simulated models (python -m sim fleet --models); S19 XP if None


def run_bench(
    settings: BenchSettings, progress: Callable[[str], None] | None = None
) -> list[Result]:
    """Measure every implementation at every size; one simulated fleet per size."""
    results: list[Result] = []
    for n in settings.sizes:
        with simulated_fleet(n, settings.first_address, settings.models) as hosts:
            for impl in settings.impls:
                cycles = settings.cycles
                if impl == "baseline" and settings.baseline_cycles:
                    cycles = settings.baseline_cycles
                if progress is not None:
                    progress(f"{impl} at {n} miners, {cycles} cycles ...")
                results.append(measure(impl, hosts, cycles))
    return results


def verdicts(results: Sequence[Result]) -> dict[str, bool | None]:
    """The issue's targets at 500 miners (None when 500 was not measured)."""
    ours = {r.n: r for r in results if r.impl == "hashheat"}
    base = {r.n: r for r in results if r.impl == "baseline"}
    at = ours.get(TARGET_N)
    return {
        "p95_cycle_at_500_le_5s": None if at is None else at.cycle_p95_s <= TARGET_P95_S,
        "cpu_at_500_le_third_of_baseline": (
            None
            if at is None or TARGET_N not in base
            else at.cpu_s_per_miner_poll <= base[TARGET_N].cpu_s_per_miner_poll * TARGET_CPU_RATIO
        ),
        "loop_stall_at_500_le_50ms": (
            None if at is None else at.max_loop_stall_ms <= TARGET_STALL_MS
        ),
    }


def notes(results: Sequence[Result]) -> list[str]:
    """What to keep in mind when reading the figures."""
    found = [
        (
            "cycles run back to back with automatic polling off; CPU is the Home Assistant "
            "process's only (the simulator runs in a process of its own)"
        ),
    ]
    if any(r.impl == "baseline" for r in results):
        found.append(
            "baseline: no entities (hass-miner makes one per value, board and fan of each miner), "
            "so its CPU, memory and stall figures are lower bounds"
        )
    found += [
        f"{r.impl} at {r.n}: Home Assistant's limit of 10 000 enabled entities per config entry "
        f"was reached; {r.entities} entities exist, the rest were not added"
        for r in results
        if r.entity_limit_hit
    ]
    return found


def print_table(results: Sequence[Result]) -> None:
    """Print the figures, one row per implementation and size."""
    print(
        f"{'impl':<10}{'N':>5}{'cycles':>8}{'p50 s':>9}{'p95 s':>9}{'CPU ms/poll':>13}"
        f"{'RSS MB':>9}{'stall ms':>10}{'failed':>8}{'setup s':>9}{'entities':>10}"
    )
    for r in results:
        print(
            f"{r.impl:<10}{r.n:>5}{r.cycles:>8}{r.cycle_p50_s:>9.3f}{r.cycle_p95_s:>9.3f}"
            f"{r.cpu_s_per_miner_poll * 1000:>13.3f}{r.peak_rss_mb:>9.1f}"
            f"{r.max_loop_stall_ms:>10.1f}{r.failed_polls:>8}{r.setup_s:>9.2f}{r.entities:>10}"
        )
    ours = {r.n: r for r in results if r.impl == "hashheat"}
    for r in results:
        if r.impl == "baseline" and r.n in ours and ours[r.n].cpu_s_per_miner_poll > 0:
            ratio = r.cpu_s_per_miner_poll / ours[r.n].cpu_s_per_miner_poll
            print(f"N={r.n}: baseline uses {ratio:.1f}x the CPU per miner-poll of hashheat")
    for name, met in verdicts(results).items():
        if met is not None:
            print(f"target {name}: {'met' if met else 'MISSED'}")
    for note in notes(results):
        print(f"note: {note}")


def main() -> int:
    """Parse the options; run the benchmark (or, with --measure, one measurement)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="e.g. 10,100")
    parser.add_argument("--cycles", type=int, default=DEFAULT_CYCLES, help="measured cycles")
    parser.add_argument(
        "--baseline-cycles", type=int, help="measured cycles of the baseline (default: --cycles)"
    )
    parser.add_argument("--impl", default=",".join(IMPLS), help="hashheat,baseline (default both)")
    parser.add_argument("--first-address", default=DEFAULT_FIRST_ADDRESS)
    family = parser.add_mutually_exclusive_group()
    family.add_argument("--models", help="simulated models to cycle through (python -m sim)")
    family.add_argument(
        "--mix", action="store_true", help="one miner of each firmware family in turn"
    )
    parser.add_argument("--measure", choices=IMPLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        hosts = sys.stdin.read().split()
        result = measure_in_this_process(args.measure, hosts, args.cycles)
        print(json.dumps(asdict(result)))
        return 0
    impls = [name.strip() for name in args.impl.split(",") if name.strip()]
    if unknown := set(impls) - set(IMPLS):
        parser.error(f"unknown --impl {', '.join(sorted(unknown))}")
    settings = BenchSettings(
        sizes=tuple(int(size) for size in args.sizes.split(",") if size.strip()),
        cycles=args.cycles,
        baseline_cycles=args.baseline_cycles,
        impls=tuple(impls),
        first_address=args.first_address,
        models=",".join(DEFAULT_MIX) if args.mix else args.models,
    )
    raise_fd_limit()
    try:
        results = run_bench(settings, lambda text: print(text, file=sys.stderr, flush=True))
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        report = {
            "fleet": [asdict(r) for r in results],
            "targets": verdicts(results),
            "notes": notes(results),
        }
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
