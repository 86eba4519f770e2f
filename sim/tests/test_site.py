"""The real-time site: miners heat the plant, the plant sets the miners' fluid temperature."""

import asyncio
from collections.abc import Callable

import pytest
from freezegun.api import FrozenDateTimeFactory

from sim import DailySinusoid, ManualClock, Plant, SimulatedMiner, mild, until
from sim.__main__ import build_parser
from sim.site import SiteSimulation
from sim.site_cli import run_site
from sim.tests.helpers import PAST, printed


def miners(clock: ManualClock) -> list[SimulatedMiner]:
    """Two miners (not listening: the coupling needs no sockets), noise off."""
    return [
        SimulatedMiner("127.0.0.1", clock=clock, noise=0.0, retune_seconds=10, warmup_seconds=10),
        SimulatedMiner(
            "127.0.0.2", model="Avalon Mini3", clock=clock, noise=0.0, warmup_seconds=10
        ),
    ]


def test_miner_power_heats_the_tank_and_the_tank_sets_the_fluid() -> None:
    clock = ManualClock()
    fleet = miners(clock)
    plant = Plant(DailySinusoid(mean_c=0.0), noise_k=0.0)
    site = SiteSimulation(plant, fleet, clock=clock)
    assert site.miner_power_w == 3010 + 800
    assert all(miner.fluid_temp_c == plant.tank_c for miner in fleet)
    start = plant.tank_c
    clock.advance(600)
    site.advance()
    assert plant.now_s == pytest.approx(600)
    assert plant.energy.electrical_j == pytest.approx(3810 * 600)
    assert plant.tank_c > start + 1.0
    assert all(miner.fluid_temp_c == plant.tank_c for miner in fleet)

    # Curtailed miners (10 W each) let the tank cool towards the loop.
    for miner in fleet:
        miner.state.sleep()
    clock.advance(1)
    site.advance()
    hot = plant.tank_c
    assert site.miner_power_w == 20
    clock.advance(600)
    site.advance()
    assert plant.tank_c < hot


def test_speed_runs_plant_time_faster() -> None:
    clock = ManualClock()
    plant = mild(noise_k=0.0).plant
    site = SiteSimulation(plant, miners(clock), speed=10.0, clock=clock)
    clock.advance(60)
    site.advance()
    assert plant.now_s == pytest.approx(600)
    site.advance()  # no time passed: no step
    assert plant.now_s == pytest.approx(600)
    with pytest.raises(ValueError, match="speed"):
        SiteSimulation(plant, [], speed=0.0)


def test_pump_stops_and_restarts_the_loop_flow() -> None:
    plant = mild().plant
    site = SiteSimulation(plant, [])
    assert site.pump_on
    site.pump_on = False
    assert plant.flow_m3_per_s == 0.0
    assert plant.heat_to_loop_w == 0.0
    site.pump_on = True
    assert plant.flow_m3_per_s == plant.params.loop_flow_m3_per_s


async def test_run_ticks_until_stopped(freezer: FrozenDateTimeFactory) -> None:
    plant = mild(noise_k=0.0).plant
    site = SiteSimulation(plant, miners(ManualClock()))  # the plant on the monotonic time
    start = plant.now_s
    stop = asyncio.Event()
    task = asyncio.create_task(site.run(stop, tick_s=30))
    await asyncio.sleep(0)  # the first tick, at once
    assert plant.now_s == start
    freezer.tick(30 + PAST)
    await until(lambda: plant.now_s > start)
    assert plant.now_s == pytest.approx(start + 30 + PAST)
    stop.set()
    await task


async def test_site_command_serves_the_site_until_stopped(
    address: Callable[[int], str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(
        [
            "site",
            "--first-address",
            address(1),
            "--models",
            "Antminer S19 XP, Avalon Mini3",
            "--spare-first-address",
            address(10),
            "--spare-count",
            "1",
            "--http-port",
            "0",
            "--time-zone",
            "Europe/Berlin",
        ]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_site(args, stop))
    out = await printed(capsys, "Press Ctrl-C")
    async with asyncio.timeout(10):
        _reader, writer = await asyncio.open_connection(address(10), 4028)
        writer.close()
        await writer.wait_closed()
        stop.set()
        await task
    assert f"{address(1)}:4028 Antminer S19 XP" in out
    assert f"{address(2)}:4028 Avalon Mini3" in out
    assert f"{address(10)}:4028 Antminer S21" in out
    assert "site (mild" in out
