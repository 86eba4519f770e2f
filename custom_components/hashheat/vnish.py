"""VNish presets through pyasic's VNish web API.

pyasic 0.79.0 reads no preset mode from VNish (``MiningModeConfig.from_vnish`` calls itself with
the wrong arguments and falls back to the default mode), so its ``get_config`` lists no presets
and its ``set_power_limit`` always refuses. Its web API's own calls work: the tuned presets come
from ``autotune/presets``, and a preset is chosen by its watts and read back from ``settings``.
"""

from typing import Any

from .capabilities import PowerStep, preset_steps
from .pyasic_loader import BaseMiner, MiningPreset, VNishWebAPI


def runs_vnish(miner: BaseMiner) -> bool:
    """Whether pyasic talks to this miner through VNish's web API."""
    return isinstance(miner.web, VNishWebAPI)


def _web(miner: BaseMiner) -> VNishWebAPI:
    web = miner.web
    if not isinstance(web, VNishWebAPI):
        raise TypeError(f"{miner.ip} does not run VNish")
    return web


async def vnish_presets(miner: BaseMiner) -> tuple[PowerStep, ...]:
    """The presets autotune has tuned, as power steps."""
    reply: Any = await _web(miner).autotune_presets()
    listed = reply.get("presets", []) if isinstance(reply, dict) else reply
    presets = [MiningPreset.from_vnish(preset) for preset in listed]
    return preset_steps(preset for preset in presets if preset.tuned)


async def set_vnish_preset(miner: BaseMiner, watts: int) -> bool:
    """Choose the preset of ``watts``; whether the settings then show it."""
    web = _web(miner)
    await web.set_power_limit(watts)
    settings: Any = await web.settings()
    return str(settings["miner"]["overclock"]["preset"]) == str(watts)
