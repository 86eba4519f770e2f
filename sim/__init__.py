"""Miner simulator for HashHeat: immersion-cooled LuxOS and Avalon miners on loopback.

Quick start::

    async with start_fleet(count=3, first_address="127.42.0.1", retune_seconds=2) as fleet:
        miner = fleet.miners[0]
        miner.fluid_temp_c = 45.0          # immersion fluid temperature
        miner.faults.offline = True        # connection refused until cleared
        miner.state.set_profile("+1")      # what profileset does

    # Avalon (cgminer API, work levels) alone or mixed with LuxOS miners:
    start_fleet(count=2, firmware="avalon")
    start_fleet(count=4, models=["Antminer S19 XP", "Avalon Mini3"])
"""

from sim.api import JsonObject, MinerApi
from sim.avalon_api import AvalonApi
from sim.avalon_device import AvalonDevice, AvalonSettings
from sim.avalon_models import AVALON_MODELS, AVALON_Q, MINI3, AvalonModel, WorkLevel
from sim.avalon_web import AvalonWebServer
from sim.families import ALL_MODELS, AnyModel, Firmware
from sim.faults import Faults
from sim.fleet import Fleet, SimulatedMiner, loopback_addresses, resolve_model, start_fleet
from sim.identity import Identity
from sim.luxos_api import LuxosApi
from sim.physics import (
    MODELS,
    S19XP,
    S21,
    Clock,
    ManualClock,
    MinerModel,
    MinerState,
    Mode,
    ModelSpec,
    PowerProfile,
    Snapshot,
)
from sim.server import MinerServer, SimulatorBindError

__all__ = [
    "ALL_MODELS",
    "AVALON_MODELS",
    "AVALON_Q",
    "MINI3",
    "MODELS",
    "S19XP",
    "S21",
    "AnyModel",
    "AvalonApi",
    "AvalonDevice",
    "AvalonModel",
    "AvalonSettings",
    "AvalonWebServer",
    "Clock",
    "Faults",
    "Firmware",
    "Fleet",
    "Identity",
    "JsonObject",
    "LuxosApi",
    "ManualClock",
    "MinerApi",
    "MinerModel",
    "MinerServer",
    "MinerState",
    "Mode",
    "ModelSpec",
    "PowerProfile",
    "SimulatedMiner",
    "SimulatorBindError",
    "Snapshot",
    "WorkLevel",
    "loopback_addresses",
    "resolve_model",
    "start_fleet",
]
