"""Heating-plant model: energy balance, steady states, dynamics, noise, scenarios, run helper."""

import math

import pytest

from sim import (
    S19XP,
    ColdFront,
    DailySinusoid,
    MinerState,
    Plant,
    PlantParams,
    PlantReadings,
    Thermostat,
    constant_power,
    counterflow_effectiveness,
    mild,
    run,
    shoulder,
    steady_state,
    winter,
)
from sim.__main__ import build_parser, main
from sim.plant.run import format_summary
from sim.plant.scenarios import scaled_params

# The reference site's capacities and rates, by hand from the documented defaults.
C_TANK = 0.6 * 830 * 2100 + 40_000  # 1 085 800 J/K
C_LOOP = 0.2 * 990 * 4180  # 827 640 J/K
C_WATER = 2.8e-4 * 990 * 4180  # 1158.696 W/K (m·cp of the loop)
C_OIL = 1.0e-3 * 830 * 2100  # 1743 W/K
UA_B = 380.0
K_EMIT = 11_400 / 30**1.3  # radiator constant, W/K^1.3


def hand_conductance() -> float:
    """epsilon * C_min of the counterflow plate exchanger, water the smaller stream."""
    ntu = 1800 / C_WATER
    cr = C_WATER / C_OIL
    decay = math.exp(-ntu * (1 - cr))
    return (1 - decay) / (1 - cr * decay) * C_WATER


def constant(outdoor_c: float) -> DailySinusoid:
    return DailySinusoid(mean_c=outdoor_c)


def quiet_plant(outdoor_c: float, params: PlantParams | None = None) -> Plant:
    """A noiseless plant at a constant outdoor temperature, hydronics at indoor temperature."""
    return Plant(constant(outdoor_c), params, noise_k=0.0)


# --------------------------------------------------------------------------- parameters


def test_reference_site_capacities() -> None:
    p = PlantParams()
    assert p.tank_capacity_j_per_k == pytest.approx(C_TANK)
    assert p.loop_capacity_j_per_k == pytest.approx(C_LOOP)
    assert p.water_rate_w_per_k() == pytest.approx(C_WATER)
    assert p.oil_rate_w_per_k == pytest.approx(C_OIL)
    assert p.emitter_coefficient == pytest.approx(K_EMIT)
    assert p.hx_conductance_w_per_k() == pytest.approx(hand_conductance())
    # Design point: 11.4 kW at -10 C is what four S19 XP at 3010 W put into the oil.
    design_load = UA_B * (20 - (-10))
    assert design_load == pytest.approx(0.95 * 4 * 3010, rel=0.01)


def test_counterflow_effectiveness() -> None:
    assert counterflow_effectiveness(1000, 500, 500) == pytest.approx(2 / 3)  # NTU 2, balanced
    assert counterflow_effectiveness(1000, 0, 500) == 0.0
    assert counterflow_effectiveness(1800, C_OIL, C_WATER) == counterflow_effectiveness(
        1800, C_WATER, C_OIL
    )
    assert counterflow_effectiveness(1e6, 1000, 2000) == pytest.approx(1.0)
    assert counterflow_effectiveness(1e-6, 1000, 2000) == pytest.approx(1e-9, rel=1e-3)


@pytest.mark.parametrize(
    "change",
    [
        {"oil_volume_m3": 0.0},
        {"building_ua_w_per_k": -1.0},
        {"capture_fraction": 0.0},
        {"capture_fraction": 1.2},
        {"trv_band_k": 0.0},
        {"loop_flow_m3_per_s": -1e-4},
        {"max_step_s": math.nan},
    ],
)
def test_rejects_unphysical_parameters(change: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        PlantParams(**change)


def test_rejects_bad_steps() -> None:
    plant = quiet_plant(0.0)
    with pytest.raises(ValueError, match="dt_s"):
        plant.step(0.0, 1000)
    with pytest.raises(ValueError, match="miner_power_w"):
        plant.step(10.0, -1.0)
    with pytest.raises(ValueError, match="flow"):
        plant.flow_m3_per_s = -1.0
    with pytest.raises(ValueError, match="miner_power_w"):
        steady_state(PlantParams(), outdoor_c=0.0, miner_power_w=-5.0)


# --------------------------------------------------------------------------- energy


def test_energy_is_conserved_over_a_run() -> None:
    scenario = winter(seed=3)
    plant = scenario.plant
    powers: list[float] = []
    thermostat = Thermostat(scenario.site_power_w, off_w=scenario.sleep_power_w)

    def controller(now_s: float, readings: PlantReadings) -> float:
        # Exercise every path: dump on for a while, pump slowed, then back.
        plant.dump_on = 6 * 3600 <= now_s < 9 * 3600
        plant.flow_m3_per_s = 1.5e-4 if 12 * 3600 <= now_s < 14 * 3600 else 2.8e-4
        power = thermostat(now_s, readings)
        powers.append(power)
        return power

    tank0, loop0, indoor0 = plant.tank_c, plant.return_c, plant.indoor_c
    trace = run(plant, controller, hours=24, dt_s=45)  # 45 s: two Euler sub-steps each
    e = trace.energy
    scale = e.electrical_j
    assert scale > 0
    assert e.dumped_j > 0
    # The electrical input, counted independently from what the controller asked for.
    assert e.electrical_j == pytest.approx(sum(powers) * 45, rel=1e-12)
    assert e.room_loss_j == pytest.approx(0.05 * e.electrical_j, rel=1e-9)
    # Stored energy changes are C x dT with the hand-computed capacities.
    assert e.tank_j == pytest.approx(C_TANK * (plant.tank_c - tank0), abs=1e-6 * scale)
    assert e.loop_j == pytest.approx(C_LOOP * (plant.return_c - loop0), abs=1e-6 * scale)
    assert e.building_j == pytest.approx(40e6 * (plant.indoor_c - indoor0), abs=1e-6 * scale)
    # Energy in = heat stored (tank + loop) + heat delivered + losses (room, dump).
    balance = e.tank_j + e.loop_j + e.delivered_j + e.dumped_j + e.room_loss_j
    assert balance == pytest.approx(e.electrical_j, rel=1e-9)
    # Each store on its own.
    assert e.electrical_j - e.room_loss_j == pytest.approx(e.tank_j + e.heat_to_loop_j, rel=1e-9)
    assert e.heat_to_loop_j == pytest.approx(e.loop_j + e.delivered_j + e.dumped_j, rel=1e-9)
    assert e.delivered_j == pytest.approx(e.building_j + e.envelope_loss_j, rel=1e-9)


def test_delivered_heat_matches_building_loss_over_a_balanced_day() -> None:
    # Constant power equal to the day's mean demand: after a full day the building gets
    # back about what it lost, and the hydronic stores end near where they started.
    scenario = winter(noise_k=0.0)
    power = 380 * 25 / 0.95
    trace = run(scenario.plant, constant_power(power), hours=24, dt_s=10)
    e = trace.energy
    assert e.delivered_j == pytest.approx(e.envelope_loss_j, rel=0.02)
    assert e.delivered_j == pytest.approx(0.95 * e.electrical_j, rel=0.02)


# --------------------------------------------------------------------------- steady state


@pytest.mark.parametrize(
    ("outdoor_c", "power_w", "opening"),
    [
        (-5.0, 8000.0, 1.0),  # indoor 15 C: valves wide open
        (10.0, 4200.0, 0.75),  # indoor 20.5 C: valves a quarter shut
    ],
)
def test_constant_power_converges_to_hand_computed_steady_state(
    outdoor_c: float, power_w: float, opening: float
) -> None:
    q = 0.95 * power_w
    indoor = outdoor_c + q / UA_B
    mean = indoor + (q / (opening * K_EMIT)) ** (1 / 1.3)
    supply = mean + q / (2 * C_WATER)
    ret = mean - q / (2 * C_WATER)
    tank = ret + q / hand_conductance()
    # A light building (2 MJ/K) so the slowest mode settles within the run; throttling
    # valves slow it to ~16 h (a small indoor change moves the whole hydronic side).
    params = PlantParams(building_capacity_j_per_k=2e6)
    plant = Plant(constant(outdoor_c), params, noise_k=0.0)
    run(plant, constant_power(power_w), hours=240, dt_s=30)
    assert plant.indoor_c == pytest.approx(indoor, abs=1e-3)
    assert plant.tank_c == pytest.approx(tank, abs=1e-3)
    assert plant.supply_c == pytest.approx(supply, abs=1e-3)
    assert plant.return_c == pytest.approx(ret, abs=1e-3)
    assert plant.heat_to_loop_w == pytest.approx(q, rel=1e-4)
    assert plant.heat_delivered_w == pytest.approx(q, rel=1e-4)
    assert plant.building_load_w == pytest.approx(q, rel=1e-4)
    solved = steady_state(params, outdoor_c=outdoor_c, miner_power_w=power_w)
    assert (solved.tank_c, solved.supply_c, solved.return_c, solved.indoor_c) == pytest.approx(
        (tank, supply, ret, indoor), abs=1e-9
    )


def test_steady_state_rejects_shut_valves() -> None:
    # 11.4 kW into a 15 C day would need 45 C indoors: the valves are shut long before.
    with pytest.raises(ValueError, match="no equilibrium"):
        steady_state(PlantParams(), outdoor_c=15.0, miner_power_w=12_000)
    no_valves = steady_state(PlantParams(trv_band_k=None), outdoor_c=15.0, miner_power_w=12_000)
    assert no_valves.indoor_c == pytest.approx(15 + 11_400 / UA_B)


# --------------------------------------------------------------------------- dynamics


def at_steady_state(power_w: float, params: PlantParams) -> Plant:
    start = steady_state(params, outdoor_c=-5.0, miner_power_w=power_w)
    return Plant(
        constant(-5.0),
        params,
        tank_c=start.tank_c,
        return_c=start.return_c,
        indoor_c=start.indoor_c,
        noise_k=0.0,
    )


def test_starting_at_steady_state_stays_there() -> None:
    plant = at_steady_state(8000, PlantParams())
    before = plant.snapshot()
    run(plant, constant_power(8000), hours=6, dt_s=10)
    after = plant.snapshot()
    for name in ("tank_c", "supply_c", "return_c", "indoor_c"):
        assert getattr(after, name) == pytest.approx(getattr(before, name), abs=1e-9)


def test_power_step_response_direction_and_time_constant() -> None:
    # Indoor held (huge building mass), so tank and loop form a two-node system.
    params = PlantParams(building_capacity_j_per_k=1e12)
    plant = at_steady_state(8000, params)
    tank0, return0, supply0 = plant.tank_c, plant.return_c, plant.supply_c
    plant.step(10, 10_000)
    # First step: only the tank moves, at (extra captured heat) / C_tank.
    assert plant.tank_c - tank0 == pytest.approx(10 * 0.95 * 2000 / C_TANK, rel=1e-9)
    assert plant.return_c == pytest.approx(return0, abs=1e-12)
    assert plant.supply_c > supply0  # the exchanger already passes more heat

    # Final state with the indoor air at 15 C, by hand.
    q = 0.95 * 10_000
    dt_emit = (q / K_EMIT) ** (1 / 1.3)
    ret_final = 15 + dt_emit - q / (2 * C_WATER)
    tank_final = ret_final + q / hand_conductance()
    # Slow time constant of the linearised tank/loop pair at the final point.
    g = hand_conductance()
    slope = 1.3 * K_EMIT * dt_emit**0.3
    a11, a12 = -g / C_TANK, g / C_TANK
    a21 = (g - slope * g / (2 * C_WATER)) / C_LOOP
    a22 = (-g - slope * (1 - g / (2 * C_WATER))) / C_LOOP
    trace, det = a11 + a22, a11 * a22 - a12 * a21
    tau_slow = -2 / (trace + math.sqrt(trace**2 - 4 * det))
    assert 3000 < tau_slow < 6000  # about 74 minutes

    t63: dict[str, float] = {}
    last_tank, last_return = plant.tank_c, plant.return_c
    elapsed = 10.0
    while elapsed < 6 * 3600:
        plant.step(10, 10_000)
        elapsed += 10
        assert plant.tank_c >= last_tank  # monotonic rise, no overshoot
        assert plant.return_c >= last_return
        last_tank, last_return = plant.tank_c, plant.return_c
        if "tank" not in t63 and plant.tank_c - tank0 >= 0.632 * (tank_final - tank0):
            t63["tank"] = elapsed
        if "return" not in t63 and plant.return_c - return0 >= 0.632 * (ret_final - return0):
            t63["return"] = elapsed
    assert 0.7 * tau_slow < t63["tank"] < t63["return"] < 1.3 * tau_slow
    assert plant.tank_c == pytest.approx(tank_final, abs=0.05)
    assert plant.return_c == pytest.approx(ret_final, abs=0.05)


def test_power_off_cools_everything_and_building_is_slow() -> None:
    plant = at_steady_state(10_000, PlantParams())
    tank0, indoor0 = plant.tank_c, plant.indoor_c
    run(plant, constant_power(0.0), hours=1, dt_s=10)
    assert plant.tank_c < tank0 - 10  # the hydronic side drains within an hour
    # The building (time constant ~29 h) loses well under a kelvin in that hour.
    assert indoor0 - 0.5 < plant.indoor_c < indoor0


def test_cold_front_raises_load_and_cools_the_house() -> None:
    front = ColdFront(start_h=1.0, drop_k=10.0, ramp_h=1.0, hold_h=10.0)
    params = PlantParams()
    start = steady_state(params, outdoor_c=0.0, miner_power_w=380 * 20 / 0.95)
    plant = Plant(
        DailySinusoid(mean_c=0.0, cold_front=front),
        params,
        tank_c=start.tank_c,
        return_c=start.return_c,
        indoor_c=start.indoor_c,
        noise_k=0.0,
    )
    load0 = plant.building_load_w
    run(plant, constant_power(380 * 20 / 0.95), hours=6, dt_s=10)
    assert plant.outdoor_c == pytest.approx(-10.0)
    assert plant.building_load_w > load0 + 3000
    assert plant.indoor_c < 19.5
    assert plant.heat_demand_w == pytest.approx(380 * 30)


def test_heat_dump_rejects_heat_and_cools_the_loop() -> None:
    params = PlantParams()
    twin = at_steady_state(8000, params), at_steady_state(8000, params)
    twin[1].dump_on = True
    assert twin[0].dump_w == 0.0
    assert twin[1].dump_w == pytest.approx(800 * (twin[1].supply_c + twin[1].return_c + 10) / 2)
    for plant in twin:
        run(plant, constant_power(8000), hours=2, dt_s=10)
    assert twin[1].return_c < twin[0].return_c - 5
    assert twin[1].tank_c < twin[0].tank_c - 5
    assert twin[1].energy.dumped_j > 0.0
    assert twin[0].energy.dumped_j == 0.0


def test_heat_dump_diverts_the_loop_from_the_radiators() -> None:
    """The dry cooler sits behind a diverting valve: switched on, the house gets no heat."""
    params = PlantParams()
    twin = at_steady_state(8000, params), at_steady_state(8000, params)
    twin[1].dump_on = True
    assert twin[0].heat_delivered_w > 7000
    assert twin[1].heat_delivered_w == 0.0
    before = [plant.energy for plant in twin]
    for plant in twin:
        run(plant, constant_power(8000), hours=2, dt_s=10)
    heating, diverted = (plant.energy - start for plant, start in zip(twin, before, strict=True))
    assert diverted.delivered_j == 0.0
    assert diverted.dumped_j > 0.9 * heating.delivered_j
    # The house only loses: 380 W/K x 20 K for 2 h from 11.1 kWh/K is about 1.3 K.
    assert twin[1].indoor_c < twin[0].indoor_c - 1.0
    twin[1].dump_on = False
    # The radiators get the water again (the cooler left it below the room: they now cool it).
    assert twin[1].heat_delivered_w < 0.0


def test_stopped_pump_isolates_the_tank() -> None:
    plant = at_steady_state(8000, PlantParams())
    plant.flow_m3_per_s = 0.0
    assert plant.heat_to_loop_w == 0.0
    assert plant.supply_c == plant.return_c
    tank0 = plant.tank_c
    plant.step(60, 8000)
    assert plant.tank_c - tank0 == pytest.approx(60 * 0.95 * 8000 / C_TANK)


def test_long_steps_are_split_into_stable_substeps() -> None:
    coarse, fine, split = (at_steady_state(8000, PlantParams()) for _ in range(3))
    for _ in range(12):
        coarse.step(600, 12_000)  # 20 sub-steps of 30 s
    for _ in range(720):
        fine.step(10, 12_000)
    for _ in range(240):
        split.step(30, 12_000)
    assert coarse.now_s == fine.now_s == pytest.approx(7200)
    assert coarse.tank_c == pytest.approx(fine.tank_c, abs=0.1)
    assert coarse.tank_c == pytest.approx(split.tank_c, abs=1e-9)  # identical sub-steps


def test_plant_clock_drives_miner_physics() -> None:
    plant = quiet_plant(0.0)
    miner = MinerState(S19XP, clock=plant.clock, noise=0.0, retune_seconds=30)
    miner.set_profile("400MHz")
    plant.step(15, miner.watts())
    assert miner.watts() == round((3010 + 2268) / 2)


# --------------------------------------------------------------------------- sensors


def test_noise_is_seeded_and_reproducible() -> None:
    def readings(seed: int) -> list[PlantReadings]:
        plant = winter(seed=seed).plant
        result = []
        for _ in range(50):
            result.append(plant.measure())
            plant.step(10, 10_000)
        return result

    assert readings(7) == readings(7)
    assert readings(7) != readings(8)


def test_noise_statistics_and_exact_readings() -> None:
    plant = winter(noise_k=0.05).plant
    exact = plant.snapshot()
    samples = [plant.measure() for _ in range(4000)]
    errors = [r.tank_c - exact.tank_c for r in samples]
    mean = sum(errors) / len(errors)
    std = math.sqrt(sum((e - mean) ** 2 for e in errors) / (len(errors) - 1))
    assert abs(mean) < 0.005
    assert std == pytest.approx(0.05, rel=0.1)
    reading = samples[0]
    assert reading.heat_w == pytest.approx(C_WATER * (reading.supply_c - reading.return_c))
    assert reading.flow_m3_per_s == exact.flow_m3_per_s
    assert winter(noise_k=0.0).plant.measure() == exact


def test_noise_does_not_touch_the_physics() -> None:
    noisy, quiet = winter(seed=1, noise_k=0.5).plant, winter(noise_k=0.0).plant
    for plant in (noisy, quiet):
        for _ in range(100):
            plant.measure()
            plant.step(10, 9000)
    assert noisy.snapshot() == quiet.snapshot()


# --------------------------------------------------------------------------- scenarios


def demand_over_a_day(plant: Plant) -> list[float]:
    """Heat demand every 10 minutes over day 0 (outdoor profile only; nothing is stepped)."""
    p = plant.params
    return [
        p.building_ua_w_per_k * max(0.0, p.indoor_setpoint_c - plant.outdoor(t * 600.0))
        for t in range(144)
    ]


def test_winter_demand_ranges() -> None:
    scenario = winter()
    demand = demand_over_a_day(scenario.plant)
    assert min(demand) == pytest.approx(7600, rel=0.01)  # 0 C at 17:00
    assert max(demand) == pytest.approx(11_400, rel=0.01)  # -10 C at 05:00
    assert sum(demand) / len(demand) == pytest.approx(9500, rel=0.01)
    # Design load at -10 C: what the site puts into the oil at full power.
    assert max(demand) == pytest.approx(0.95 * scenario.site_power_w, rel=0.01)
    assert scenario.outdoor(5 * 3600) == pytest.approx(-10.0)
    assert scenario.outdoor(17 * 3600) == pytest.approx(0.0)
    assert scenario.plant.outdoor is scenario.outdoor
    assert scenario.plant.indoor_c == pytest.approx(20.0)
    assert scenario.plant.heat_to_loop_w == pytest.approx(9500, rel=1e-6)  # balanced start
    assert 50 < scenario.plant.tank_c < 60


def test_mild_demand_and_start() -> None:
    scenario = mild()
    demand = demand_over_a_day(scenario.plant)
    assert min(demand) == pytest.approx(380 * 13, rel=0.01)  # +7 C at 17:00
    assert max(demand) == pytest.approx(380 * 21, rel=0.01)  # -1 C at 05:00
    assert sum(demand) / len(demand) == pytest.approx(6460, rel=0.01)
    assert scenario.plant.heat_to_loop_w == pytest.approx(6460, rel=1e-6)  # balanced start
    assert 44 < scenario.plant.tank_c < 46
    assert 36 < scenario.plant.return_c < 37


def test_shoulder_demand_is_well_below_site_power() -> None:
    scenario = shoulder()
    demand = demand_over_a_day(scenario.plant)
    assert min(demand) == pytest.approx(380 * 4, rel=0.01)
    assert max(demand) == pytest.approx(380 * 16, rel=0.01)
    assert max(demand) < 0.55 * 0.95 * scenario.site_power_w
    assert sum(demand) / len(demand) == pytest.approx(3800, rel=0.01)
    assert scenario.plant.heat_to_loop_w == pytest.approx(3800, rel=1e-6)


def test_shoulder_at_full_power_overheats_so_a_controller_must_modulate() -> None:
    scenario = shoulder(noise_k=0.0)
    trace = run(scenario.plant, constant_power(scenario.site_power_w), hours=12, dt_s=10)
    assert trace.temperatures["tank"].max_c > 80
    assert trace.temperatures["indoor"].max_c < 22  # the valves shut; the tank takes it

    scenario = shoulder(seed=2)
    thermostat = Thermostat(scenario.site_power_w, off_w=scenario.sleep_power_w)
    trace = run(scenario.plant, thermostat, hours=48, dt_s=10)
    assert trace.temperatures["tank"].max_c < 66
    assert 19 < trace.temperatures["indoor"].min_c < trace.temperatures["indoor"].max_c < 21
    on_share = sum(s.power_w > 1000 for s in trace.samples) / len(trace.samples)
    assert 0.2 < on_share < 0.6  # cycles: about a third of the time on


def test_winter_cold_front() -> None:
    scenario = winter(cold_front=ColdFront())
    # Front from hour 24: -10 K after a 6 h fall, held 24 h, back over 6 h.
    base = DailySinusoid(mean_c=-5.0, swing_k=5.0)
    for hour, offset in ((24, 0.0), (27, -5.0), (30, -10.0), (54, -10.0), (57, -5.0), (60, 0.0)):
        assert scenario.outdoor(hour * 3600) - base(hour * 3600) == pytest.approx(offset)
    thermostat = Thermostat(scenario.site_power_w, off_w=scenario.sleep_power_w)
    trace = run(scenario.plant, thermostat, hours=60, dt_s=10)
    assert trace.temperatures["outdoor"].min_c == pytest.approx(-20.0, abs=0.1)
    assert trace.temperatures["indoor"].min_c < 19  # beyond the site's capacity


# --------------------------------------------------------------------------- run helper


def test_run_counts_steps_and_samples() -> None:
    scenario = winter()
    calls: list[float] = []

    def controller(now_s: float, readings: PlantReadings) -> float:
        calls.append(now_s)
        assert readings.now_s == now_s
        return 10_000.0

    trace = run(scenario.plant, controller, hours=48, dt_s=10)
    assert trace.steps == len(calls) == 48 * 360
    assert calls[0] == 0.0
    assert calls[-1] == pytest.approx(48 * 3600 - 10)
    assert scenario.plant.now_s == pytest.approx(48 * 3600)
    assert len(trace.samples) == 48 * 360 // 30
    assert trace.samples[1].time_s - trace.samples[0].time_s == pytest.approx(300)
    assert all(s.power_w == 10_000.0 for s in trace.samples)
    assert trace.energy.electrical_j == pytest.approx(10_000 * 48 * 3600)
    assert set(trace.temperatures) == {"outdoor", "indoor", "tank", "supply", "return"}
    outdoor = trace.temperatures["outdoor"]
    assert outdoor.min_c == pytest.approx(-10, abs=0.01)
    assert outdoor.max_c == pytest.approx(0, abs=0.01)
    assert outdoor.mean_c == pytest.approx(-5, abs=0.01)


def test_run_rounds_steps_up_and_validates() -> None:
    plant = quiet_plant(0.0)
    trace = run(plant, constant_power(0.0), hours=0.01, dt_s=7, sample_every=1)
    assert trace.steps == len(trace.samples) == 6  # ceil(36 / 7)
    assert run(quiet_plant(0.0), constant_power(0.0), hours=1, dt_s=60).steps == 60
    with pytest.raises(ValueError, match="hours"):
        run(plant, constant_power(0.0), hours=0, dt_s=10)
    with pytest.raises(ValueError, match="sample_every"):
        run(plant, constant_power(0.0), hours=1, dt_s=10, sample_every=0)


def test_summary_table() -> None:
    trace = run(winter().plant, constant_power(10_000), hours=1, dt_s=10)
    text = format_summary("winter", trace)
    assert text.startswith("winter: 1 h in 360 steps of 10 s\n")
    assert "energy in (electrical)          10.0" in text
    for row in ("outdoor", "tank", "supply", "return", "heat delivered"):
        assert row in text


def test_cli_plant_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plant", "--scenario", "shoulder", "--hours", "2", "--cold-front"]) == 0
    out = capsys.readouterr().out
    assert "shoulder" in out
    assert "720 steps of 10 s" in out
    assert "energy in (electrical)" in out
    args = build_parser().parse_args(["plant"])
    assert (args.scenario, args.hours, args.dt, args.controller) == (
        "winter",
        48.0,
        10.0,
        "thermostat",
    )
    assert main(["plant", "--controller", "constant", "--power", "5000", "--hours", "1"]) == 0
    assert "constant 5000 W" in capsys.readouterr().out
    assert main(["plant", "--hours", "0"]) == 2
    assert build_parser().parse_args(["fleet", "--count", "2"]).count == 2


def test_a_site_four_times_as_large_runs_as_warm_on_four_times_the_power() -> None:
    small = steady_state(PlantParams(), outdoor_c=0.0, miner_power_w=8000.0)
    large_params = scaled_params(4)
    large = steady_state(large_params, outdoor_c=0.0, miner_power_w=32_000.0)
    assert large_params.oil_volume_m3 == pytest.approx(2.4)
    assert large_params.building_ua_w_per_k == pytest.approx(1520.0)
    for name in ("tank_c", "supply_c", "return_c", "indoor_c"):
        assert getattr(large, name) == pytest.approx(getattr(small, name))
