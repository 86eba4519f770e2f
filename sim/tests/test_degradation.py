"""Simulated degradation: fluid ageing, exchanger fouling and pump flow loss over plant time."""

import pytest

from sim import DailySinusoid, ManualClock, Plant, SimulatedMiner
from sim.__main__ import build_parser
from sim.degradation import Degradation, DegradationKind, parse_degradation
from sim.site import SiteSimulation

DAY_S = 86_400.0


def test_a_degradation_grows_over_its_ramp() -> None:
    fouling = Degradation(kind=DegradationKind.FOULING, share=0.2, start_s=DAY_S, ramp_s=2 * DAY_S)
    assert fouling.at(0.0) == 0.0
    assert fouling.at(2 * DAY_S) == pytest.approx(0.1)
    assert fouling.at(10 * DAY_S) == pytest.approx(0.2)


def test_parse_reads_kind_share_and_days() -> None:
    assert parse_degradation("pump:0.3:7", start_s=5.0) == Degradation(
        kind=DegradationKind.PUMP, share=0.3, start_s=5.0, ramp_s=7 * DAY_S
    )
    assert parse_degradation("fluid:0.2").ramp_s == 0.0
    for bad in ("fouling", "rust:0.1", "fouling:1.5", "fouling:0.1:-1"):
        with pytest.raises(ValueError, match=r"."):
            parse_degradation(bad)


def test_the_site_degrades_on_plant_time() -> None:
    clock = ManualClock()
    miner = SimulatedMiner("127.0.0.1", clock=clock, noise=0.0)
    plant = Plant(DailySinusoid(mean_c=0.0), noise_k=0.0)
    healthy_ua, healthy_oil = plant.params.hx_ua_w_per_k, plant.params.oil_flow_m3_per_s
    healthy_conductance = plant.params.hx_conductance_w_per_k()
    site = SiteSimulation(
        plant,
        [miner],
        speed=100.0,
        clock=clock,
        degradations=[Degradation(kind=kind, share=0.2, ramp_s=DAY_S) for kind in DegradationKind],
    )
    assert miner.state.chip_rise_k == 25.0
    clock.advance(DAY_S / 200)  # half a day of plant time
    site.advance()
    assert plant.params.hx_ua_w_per_k == pytest.approx(healthy_ua * 0.9)
    assert plant.params.oil_flow_m3_per_s == pytest.approx(healthy_oil * 0.9)
    assert miner.state.chip_rise_k == pytest.approx(27.5)
    clock.advance(DAY_S / 100)
    site.advance()
    assert plant.params.hx_ua_w_per_k == pytest.approx(healthy_ua * 0.8)
    # The exchanger the plant steps with is the degraded one.
    heat = plant.heat_to_loop_w
    assert heat == pytest.approx(
        plant.params.hx_conductance_w_per_k() * (plant.tank_c - plant.return_c)
    )
    assert plant.params.hx_conductance_w_per_k() < healthy_conductance


def test_the_site_command_takes_degradations() -> None:
    args = build_parser().parse_args(
        ["site", "--degrade", "fouling:0.2:3", "--degrade", "fluid:0.2"]
    )
    assert args.degrade == ["fouling:0.2:3", "fluid:0.2"]
