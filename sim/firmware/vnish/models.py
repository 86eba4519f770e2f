"""Antminers running VNish: nameplate data and the presets autotune has tuned."""

from dataclasses import dataclass, replace

from sim.physics import PowerProfile

VNISH_VERSION = "1.2.6"
# The first release with the 20-100 % throttle (``POST /api/v1/mining/throttle``).
THROTTLE_VERSION = "1.3.4"


@dataclass(frozen=True, slots=True)
class Preset:
    """One tuned autotune preset: named by its power, with the hashrate it gives."""

    watts: int
    hashrate_ths: float

    @property
    def name(self) -> str:
        """VNish names a preset by its watts (``"2400"``)."""
        return str(self.watts)

    @property
    def pretty(self) -> str:
        """How the web UI and API show it: ``"2400 watt ~ 82 TH"``."""
        return f"{self.watts} watt ~ {self.hashrate_ths:g} TH"


@dataclass(frozen=True, slots=True)
class VNishModel:
    """An Antminer model on VNish; ``name`` is the simulator's, ``antminer`` what it reports."""

    name: str
    antminer: str
    boards: int
    chips_per_board: int
    presets: tuple[Preset, ...]
    default_watts: int
    version: str = VNISH_VERSION

    @property
    def miner_type(self) -> str:
        """The firmware's own name for itself: ``"Antminer S19j Pro (Vnish 1.2.6)"``."""
        return f"{self.antminer} (Vnish {self.version})"

    @property
    def throttles(self) -> bool:
        """Whether this release has the throttle (1.3.3 and later)."""
        return tuple(int(part) for part in self.version.split(".")) >= (1, 3, 3)

    def profiles(self) -> tuple[PowerProfile, ...]:
        """The tuned presets as operating points, lowest power first."""
        return tuple(
            PowerProfile(
                name=p.name,
                step=i,
                frequency_mhz=round(525 * p.watts / self.default_watts),
                voltage=0.0,
                watts=p.watts,
                hashrate_ths=p.hashrate_ths,
            )
            for i, p in enumerate(sorted(self.presets, key=lambda p: p.watts))
        )


S19J_PRO_VNISH = VNishModel(
    name="Antminer S19j Pro VNish",
    antminer="Antminer S19j Pro",
    boards=3,
    chips_per_board=126,
    presets=(
        Preset(1800, 72.0),
        Preset(2400, 88.0),
        Preset(2800, 98.0),
        Preset(3100, 104.0),
        Preset(3500, 112.0),
    ),
    default_watts=3100,
)
S19J_PRO_VNISH_THROTTLE = replace(
    S19J_PRO_VNISH, name="Antminer S19j Pro VNish 1.3", version=THROTTLE_VERSION
)
VNISH_MODELS: dict[str, VNishModel] = {m.name: m for m in (S19J_PRO_VNISH, S19J_PRO_VNISH_THROTTLE)}
