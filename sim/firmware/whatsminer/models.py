"""Whatsminer models: nameplate data and the range of their exact power limit."""

from dataclasses import dataclass

from sim.physics import PowerProfile

# A firmware date after 2024-11 makes pyasic choose API v3.
FIRMWARE_VERSION = "20250214.16.REL"
API_VERSION = "3.0.1"


@dataclass(frozen=True, slots=True)
class WhatsminerModel:
    """A Whatsminer: ``type_code`` is what the firmware reports (``M63S_VK30``)."""

    name: str
    type_code: str
    boards: int
    chips_per_board: int
    watts: int
    hashrate_ths: float
    min_watts: int

    def profiles(self) -> tuple[PowerProfile, ...]:
        """The nameplate operating point; power limits below it are made on demand."""
        return (
            PowerProfile(
                name="default",
                step=0,
                frequency_mhz=600,
                voltage=0.0,
                watts=self.watts,
                hashrate_ths=self.hashrate_ths,
            ),
        )


M63S = WhatsminerModel(
    name="Whatsminer M63S",
    type_code="M63S_VK30",
    boards=4,
    chips_per_board=156,
    watts=7215,
    hashrate_ths=390.0,
    min_watts=3000,
)
WHATSMINER_MODELS: dict[str, WhatsminerModel] = {m.name: m for m in (M63S,)}
