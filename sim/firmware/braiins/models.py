"""Antminers running Braiins OS+: nameplate data and the range of their power target."""

from dataclasses import dataclass

from sim.firmware.watts import ExactWattModel

BOS_VERSION = "2025-01-15-0-1a2b3c4d-25.01-plus"
BOSMINER_VERSION = "0.2.0-1a2b3c4d"


@dataclass(frozen=True, slots=True, kw_only=True)
class BraiinsModel(ExactWattModel):
    """An Antminer on Braiins OS+; ``name`` is the simulator's, ``antminer`` what it reports."""

    antminer: str


S19J_PRO_BRAIINS = BraiinsModel(
    name="Antminer S19j Pro BOS+",
    antminer="Antminer S19j Pro",
    boards=3,
    chips_per_board=126,
    watts=3250,
    hashrate_ths=104.0,
    min_watts=1600,
    frequency_mhz=525,
)
BRAIINS_MODELS: dict[str, BraiinsModel] = {m.name: m for m in (S19J_PRO_BRAIINS,)}
