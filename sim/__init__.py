"""Miner simulator for HashHeat: immersion-cooled miners of five firmware families on loopback.

Quick start::

    async with start_fleet(count=3, first_address="127.42.0.1", retune_seconds=2) as fleet:
        miner = fleet.miners[0]
        miner.fluid_temp_c = 45.0          # immersion fluid temperature
        miner.faults.offline = True        # connection refused until cleared
        miner.state.set_profile("+1")      # what profileset does

    # Avalon (cgminer API, work levels) or Whatsminer (API v3, exact watts), or a mix:
    start_fleet(count=2, firmware="avalon")
    start_fleet(count=3, models=["Antminer S19 XP", "Avalon Mini3", "Whatsminer M63S"])

    # Heating plant (tank, heat exchanger, radiator loop, building), no sockets:
    scenario = winter(seed=1)
    trace = run(scenario.plant, Thermostat(scenario.site_power_w), hours=48, dt_s=10)
"""

from sim.api import JsonObject, MinerApi
from sim.families import ALL_MODELS, AnyModel, Firmware
from sim.faults import Faults
from sim.firmware.avalon.api import AvalonApi
from sim.firmware.avalon.device import AvalonDevice, AvalonSettings
from sim.firmware.avalon.models import AVALON_MODELS, AVALON_Q, MINI3, AvalonModel, WorkLevel
from sim.firmware.avalon.web import AvalonWebServer
from sim.firmware.braiins.api import BraiinsRpcApi
from sim.firmware.braiins.device import BraiinsDevice
from sim.firmware.braiins.grpc import GrpcServer
from sim.firmware.braiins.models import BRAIINS_MODELS, S19J_PRO_BRAIINS, BraiinsModel
from sim.firmware.luxos.api import LuxosApi
from sim.firmware.vnish.api import VNishRpcApi
from sim.firmware.vnish.device import VNishDevice
from sim.firmware.vnish.models import S19J_PRO_VNISH, VNISH_MODELS, VNishModel
from sim.firmware.vnish.web import VNishWebApi
from sim.firmware.whatsminer.api import WhatsminerRpcApi, WhatsminerV3Api
from sim.firmware.whatsminer.device import WhatsminerDevice
from sim.firmware.whatsminer.models import M63S, WHATSMINER_MODELS, WhatsminerModel
from sim.fleet import Fleet, SimulatedMiner, loopback_addresses, resolve_model, start_fleet
from sim.identity import Identity
from sim.outdoor import ColdFront, DailySinusoid, OutdoorProfile
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
from sim.plant import (
    EnergyTotals,
    Plant,
    PlantParams,
    PlantReadings,
    SteadyState,
    counterflow_effectiveness,
    steady_state,
)
from sim.plant.control import Controller, Thermostat, constant_power
from sim.plant.run import TempStats, Trace, TraceSample, format_summary, run
from sim.plant.scenarios import (
    SCENARIOS,
    SITE_POWER_W,
    SLEEP_POWER_W,
    Scenario,
    ScenarioFactory,
    mild,
    shoulder,
    winter,
)
from sim.server import MinerServer, SimulatorBindError
from sim.turns import until

__all__ = [
    "ALL_MODELS",
    "AVALON_MODELS",
    "AVALON_Q",
    "BRAIINS_MODELS",
    "M63S",
    "MINI3",
    "MODELS",
    "S19J_PRO_BRAIINS",
    "S19J_PRO_VNISH",
    "S19XP",
    "S21",
    "SCENARIOS",
    "SITE_POWER_W",
    "SLEEP_POWER_W",
    "VNISH_MODELS",
    "WHATSMINER_MODELS",
    "AnyModel",
    "AvalonApi",
    "AvalonDevice",
    "AvalonModel",
    "AvalonSettings",
    "AvalonWebServer",
    "BraiinsDevice",
    "BraiinsModel",
    "BraiinsRpcApi",
    "Clock",
    "ColdFront",
    "Controller",
    "DailySinusoid",
    "EnergyTotals",
    "Faults",
    "Firmware",
    "Fleet",
    "GrpcServer",
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
    "OutdoorProfile",
    "Plant",
    "PlantParams",
    "PlantReadings",
    "PowerProfile",
    "Scenario",
    "ScenarioFactory",
    "SimulatedMiner",
    "SimulatorBindError",
    "Snapshot",
    "SteadyState",
    "TempStats",
    "Thermostat",
    "Trace",
    "TraceSample",
    "VNishDevice",
    "VNishModel",
    "VNishRpcApi",
    "VNishWebApi",
    "WhatsminerDevice",
    "WhatsminerModel",
    "WhatsminerRpcApi",
    "WhatsminerV3Api",
    "WorkLevel",
    "constant_power",
    "counterflow_effectiveness",
    "format_summary",
    "loopback_addresses",
    "mild",
    "resolve_model",
    "run",
    "shoulder",
    "start_fleet",
    "steady_state",
    "until",
    "winter",
]
