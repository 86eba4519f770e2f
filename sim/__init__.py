"""LuxOS miner simulator for HashHeat: immersion-cooled ASIC miners on loopback.

Quick start::

    async with start_fleet(count=3, first_address="127.42.0.1", retune_seconds=2) as fleet:
        miner = fleet.miners[0]
        miner.fluid_temp_c = 45.0          # immersion fluid temperature
        miner.faults.offline = True        # connection refused until cleared
        miner.state.set_profile("+1")      # what profileset does
"""

from sim.faults import Faults
from sim.fleet import Fleet, SimulatedMiner, loopback_addresses, resolve_model, start_fleet
from sim.luxos_api import LuxosApi
from sim.luxos_replies import Identity
from sim.physics import (
    MODELS,
    S19XP,
    S21,
    Clock,
    ManualClock,
    MinerModel,
    MinerState,
    Mode,
    PowerProfile,
    Snapshot,
)
from sim.server import MinerServer, SimulatorBindError

__all__ = [
    "MODELS",
    "S19XP",
    "S21",
    "Clock",
    "Faults",
    "Fleet",
    "Identity",
    "LuxosApi",
    "ManualClock",
    "MinerModel",
    "MinerServer",
    "MinerState",
    "Mode",
    "PowerProfile",
    "SimulatedMiner",
    "SimulatorBindError",
    "Snapshot",
    "loopback_addresses",
    "resolve_model",
    "start_fleet",
]
