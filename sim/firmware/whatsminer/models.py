"""Whatsminer models: nameplate data and the range of their exact power limit."""

from dataclasses import dataclass

from sim.firmware.watts import ExactWattModel

# A firmware date after 2024-11 makes pyasic choose API v3.
FIRMWARE_VERSION = "20250214.16.REL"
API_VERSION = "3.0.1"


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsminerModel(ExactWattModel):
    """A Whatsminer: ``type_code`` is what the firmware reports (``M63S_VK30``)."""

    type_code: str


M63S = WhatsminerModel(
    name="Whatsminer M63S",
    type_code="M63S_VK30",
    boards=4,
    chips_per_board=156,
    watts=7215,
    hashrate_ths=390.0,
    min_watts=3000,
    frequency_mhz=600,
)
WHATSMINER_MODELS: dict[str, WhatsminerModel] = {m.name: m for m in (M63S,)}
