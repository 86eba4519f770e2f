"""One simulated VNish miner: physics, model, identity and what its firmware keeps."""

import secrets
from dataclasses import dataclass, field, replace

from sim.firmware.vnish.models import VNishModel
from sim.identity import Identity
from sim.physics import MinerState, PowerProfile

THROTTLE_RANGE = range(20, 101)  # percent of the preset's power

DEFAULT_PASSWORD = "admin"  # noqa: S105 - VNish's default web password


@dataclass(slots=True)
class VNishDevice:
    """Everything the VNish replies are built from; ``tokens`` are those ``unlock`` gave out."""

    state: MinerState
    model: VNishModel
    identity: Identity
    password: str = DEFAULT_PASSWORD
    locating: bool = False
    throttle: int = 100
    tokens: set[str] = field(default_factory=set)
    # Presets autotune has not tuned (``"status": "untuned"``): on a fresh install every one is
    # (the 1.2.6 preset list in VNish's API reference; 256foundation/asic-rs,
    # meta/vnish/v1.2.6/api-doc.json: AutotunePresetStatus is "untuned" or "tuned").
    untuned: frozenset[str] = frozenset()
    # ``GET autotune/presets`` as an array, the ``disabled`` pseudo-preset first (VNish 1.2.6 to
    # 1.3.4 OpenAPI, asic-rs meta/vnish/*/api-doc.json); False: wrapped in ``{"presets": [...]}``,
    # the other layout pyasic 0.79.0's VNish backend accepts.
    presets_as_array: bool = True
    # Writes kept until mining restarts: ``settings`` and ``mining/throttle`` answer
    # ``restart_required: true`` (SaveConfigResult, VNish OpenAPI 1.2.6-1.3.4) and apply on
    # ``POST mining/restart``; the settings show the saved preset meanwhile.
    applies_on_restart: bool = False
    # ``summary`` reports the power as ``power_consumption`` and, deprecated, ``power_usage``
    # (VNish OpenAPI 1.2.6-1.3.4, AntmMinerStats); False: a release without the deprecated field.
    reports_power_usage: bool = True
    saved_preset: str | None = None
    saved_throttle: int | None = None
    restarts: int = 0  # of mining, asked through the web API

    def unlock(self, password: object) -> str | None:
        """A new API token for the right password, else None."""
        if password != self.password:
            return None
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return token

    @property
    def preset(self) -> str:
        """The preset in force (its name, the watts)."""
        return self.state.profile.name

    def select_preset(self, name: str) -> None:
        """Run the preset ``name`` (KeyError if there is none) at the throttle in force."""
        self.state.select(throttled(self.state.get_profile(name), self.throttle))

    def restart_mining(self) -> None:
        """Restart mining, applying what was saved for it."""
        self.restarts += 1
        self._take_saved()
        self.state.restart_miner()

    def start_mining(self) -> None:
        """Start (or resume) mining with what was saved for it."""
        self._take_saved()
        self.state.wakeup()

    def _take_saved(self) -> None:
        if self.saved_throttle is not None:
            self.throttle = self.saved_throttle
        self.select_preset(self.saved_preset or self.preset)
        self.saved_preset = self.saved_throttle = None

    def set_throttle(self, percent: int) -> None:
        """Run the preset in force at ``percent`` of its power (and hashrate)."""
        self.throttle = percent
        self.select_preset(self.preset)


def throttled(preset: PowerProfile, percent: int) -> PowerProfile:
    """A preset run at ``percent``: power and hashrate scale with it, the name stays."""
    if percent == max(THROTTLE_RANGE):
        return preset
    share = percent / 100
    return replace(
        preset,
        frequency_mhz=round(preset.frequency_mhz * share),
        watts=round(preset.watts * share),
        hashrate_ths=round(preset.hashrate_ths * share, 2),
    )
