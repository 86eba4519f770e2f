"""Exact power targets (Whatsminer, Braiins OS+): an operating point for any wattage in range."""

from dataclasses import dataclass

from sim.physics import MinerState, PowerProfile

# Hashrate falls slower than power when a miner is tuned down (lower voltage, better J/TH).
_HASHRATE_EXPONENT = 0.8


def watt_profile(nameplate: PowerProfile, watts: int) -> PowerProfile:
    """The operating point a firmware tunes to for a target of ``watts``."""
    share = watts / nameplate.watts
    return PowerProfile(
        name=f"{watts}W",
        step=0,
        frequency_mhz=round(nameplate.frequency_mhz * share),
        voltage=nameplate.voltage,
        watts=watts,
        hashrate_ths=round(nameplate.hashrate_ths * share**_HASHRATE_EXPONENT, 2),
    )


def set_power_target(state: MinerState, watts: int, min_watts: int) -> int:
    """Retune ``state`` to ``watts`` clamped to [``min_watts``, nameplate]; return what applies."""
    nameplate = max(state.profiles, key=lambda p: p.watts)
    applied = max(min_watts, min(watts, nameplate.watts))
    state.select(nameplate if applied == nameplate.watts else watt_profile(nameplate, applied))
    return applied


@dataclass(frozen=True, slots=True, kw_only=True)
class ExactWattModel:
    """A miner whose firmware takes any power target from ``min_watts`` up to its nameplate."""

    name: str
    boards: int
    chips_per_board: int
    watts: int
    hashrate_ths: float
    min_watts: int
    frequency_mhz: int

    def profiles(self) -> tuple[PowerProfile, ...]:
        """The nameplate operating point; power targets below it are made on demand."""
        return (
            PowerProfile(
                name="default",
                step=0,
                frequency_mhz=self.frequency_mhz,
                voltage=0.0,
                watts=self.watts,
                hashrate_ths=self.hashrate_ths,
            ),
        )
