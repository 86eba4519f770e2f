"""Antminers running Braiins OS+: nameplate data and the range of their power target."""

from dataclasses import dataclass

from sim.physics import PowerProfile

BOS_VERSION = "2025-01-15-0-1a2b3c4d-25.01-plus"
BOSMINER_VERSION = "0.2.0-1a2b3c4d"


@dataclass(frozen=True, slots=True)
class BraiinsModel:
    """An Antminer on Braiins OS+; ``name`` is the simulator's, ``antminer`` what it reports."""

    name: str
    antminer: str
    boards: int
    chips_per_board: int
    watts: int
    hashrate_ths: float
    min_watts: int

    def profiles(self) -> tuple[PowerProfile, ...]:
        """The nameplate operating point; power targets below it are made on demand."""
        return (
            PowerProfile(
                name="default",
                step=0,
                frequency_mhz=525,
                voltage=0.0,
                watts=self.watts,
                hashrate_ths=self.hashrate_ths,
            ),
        )


S19J_PRO_BRAIINS = BraiinsModel(
    name="Antminer S19j Pro BOS+",
    antminer="Antminer S19j Pro",
    boards=3,
    chips_per_board=126,
    watts=3250,
    hashrate_ths=104.0,
    min_watts=1600,
)
BRAIINS_MODELS: dict[str, BraiinsModel] = {m.name: m for m in (S19J_PRO_BRAIINS,)}
