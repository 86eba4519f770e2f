"""Capability detection from real pyasic miner classes, and power-limit snapping."""

import pytest
from pyasic.config.mining.presets import MiningPreset
from pyasic.miners.antminer.bmminer.X19.S19 import BMMinerS19XP
from pyasic.miners.antminer.bosminer.X19.S19 import BOSMinerS19jPro
from pyasic.miners.antminer.luxos.X19.S19 import LUXMinerS19XP
from pyasic.miners.antminer.vnish.X19.S19 import VNishS19jPro
from pyasic.miners.whatsminer.btminer.M6X.M63S import BTMinerM63SVK30

from custom_components.hashheat.capabilities import (
    MinerCapabilities,
    PowerControl,
    PowerStep,
    capabilities_of,
    preset_steps,
)

STEPS = (PowerStep(key="eco", watts=2000), PowerStep(key="std", watts=3000))


def test_stock_antminer_cannot_limit_power() -> None:
    """Stock firmware gets no power-limit control rather than one that silently fails."""
    capabilities = capabilities_of(BMMinerS19XP("127.0.0.1"), presets=())
    assert capabilities.power_control is PowerControl.NONE
    assert capabilities.can_pause
    assert capabilities.can_reboot


def test_luxos_with_presets() -> None:
    capabilities = capabilities_of(LUXMinerS19XP("127.0.0.1"), presets=STEPS)
    assert capabilities.power_control is PowerControl.PRESETS
    assert (capabilities.min_power_w, capabilities.max_power_w) == (2000, 3000)
    assert capabilities.can_identify
    assert capabilities.can_restart_backend


def test_luxos_without_presets_cannot_limit_power() -> None:
    assert capabilities_of(LUXMinerS19XP("127.0.0.1"), presets=()).power_control is (
        PowerControl.NONE
    )


def test_whatsminer_v3_takes_exact_watts_in_its_range() -> None:
    miner = BTMinerM63SVK30("127.0.0.1", "20250214.16.REL")  # a firmware date: API v3
    capabilities = capabilities_of(miner, presets=())
    assert capabilities.power_control is PowerControl.WATTS
    assert (capabilities.min_power_w, capabilities.max_power_w) == (3000, 7215)
    assert capabilities.can_pause
    assert capabilities.can_reboot
    assert capabilities.can_identify
    assert [capabilities.step_for(w) for w in (5123.9, 100, 9e9)] == [
        PowerStep(key="5123", watts=5123),
        PowerStep(key="3000", watts=3000),
        PowerStep(key="7215", watts=7215),
    ]
    assert MinerCapabilities.from_dict(capabilities.as_dict()) == capabilities


def test_vnish_with_the_throttle_takes_watts_down_to_a_fifth_of_its_lowest_preset() -> None:
    capabilities = capabilities_of(VNishS19jPro("127.0.0.1"), presets=STEPS, throttles=True)
    assert capabilities.power_control is PowerControl.THROTTLE
    assert capabilities.power_steps == STEPS
    assert (capabilities.min_power_w, capabilities.max_power_w) == (400, 3000)
    assert [capabilities.step_for(w) for w in (2500.7, 10, 9e9)] == [
        PowerStep(key="2500", watts=2500),
        PowerStep(key="400", watts=400),
        PowerStep(key="3000", watts=3000),
    ]
    assert MinerCapabilities.from_dict(capabilities.as_dict()) == capabilities
    without = capabilities_of(VNishS19jPro("127.0.0.1"), presets=STEPS)
    assert without.power_control is PowerControl.PRESETS
    assert without.min_power_w == 2000


def test_the_watt_range_belongs_to_firmware_and_model() -> None:
    """Braiins OS+ on an S19j Pro takes exact watts; VNish on the same model takes presets."""
    braiins = capabilities_of(BOSMinerS19jPro("127.0.0.1"), presets=())
    assert braiins.power_control is PowerControl.WATTS
    assert (braiins.min_power_w, braiins.max_power_w) == (1600, 3250)
    assert braiins.can_pause
    assert braiins.can_reboot
    assert braiins.can_identify
    assert capabilities_of(VNishS19jPro("127.0.0.1"), presets=STEPS).power_control is (
        PowerControl.PRESETS
    )


@pytest.mark.parametrize(
    ("watts", "expected"),
    [(1500, "eco"), (2000, "eco"), (2999, "eco"), (3000, "std"), (9e9, "std")],
)
def test_step_for_snaps_down_or_to_the_lowest(watts: float, expected: str) -> None:
    step = MinerCapabilities(power_control=PowerControl.PRESETS, power_steps=STEPS).step_for(watts)
    assert step is not None
    assert step.key == expected


def test_no_steps_no_limit() -> None:
    capabilities = MinerCapabilities()
    assert capabilities.step_for(1000) is None
    assert capabilities.min_power_w is None
    assert capabilities.max_power_w is None


def test_preset_steps_sorted_and_incomplete_skipped() -> None:
    presets = [
        MiningPreset(name="high", power=3600),
        MiningPreset(name="low", power=1900),
        MiningPreset(name=None, power=2500),
        MiningPreset(name="nopower"),
    ]
    assert preset_steps(presets) == (
        PowerStep(key="low", watts=1900),
        PowerStep(key="high", watts=3600),
    )


def test_round_trip_through_storage() -> None:
    capabilities = MinerCapabilities(
        power_control=PowerControl.PRESETS, power_steps=STEPS, can_pause=True, can_identify=True
    )
    assert MinerCapabilities.from_dict(capabilities.as_dict()) == capabilities


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {},
        {"power_control": "warp", "power_steps": [["a", 1]]},
        {"power_control": "presets", "power_steps": [["a", "many"]]},
        {"power_control": "presets", "power_steps": 5},
        {"power_control": "presets", "power_steps": []},
    ],
)
def test_malformed_storage_means_cannot(stored: dict[str, object] | None) -> None:
    assert MinerCapabilities.from_dict(stored).power_control is PowerControl.NONE


def test_lost_controls_are_named() -> None:
    before = MinerCapabilities(
        power_control=PowerControl.PRESETS, power_steps=STEPS, can_pause=True, can_reboot=True
    )
    after = MinerCapabilities(can_pause=True)
    assert after.lost_since(before) == ["power_limit", "can_reboot"]
    assert before.lost_since(after) == []
