"""One simulated Braiins OS+ miner: physics, model, identity and what its firmware keeps."""

import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from sim.firmware.braiins.models import BraiinsModel
from sim.firmware.watts import set_power_target
from sim.identity import Identity
from sim.physics import MinerState

DEFAULT_PASSWORD = "root"  # noqa: S105 - the firmware's default for its "root" user


class CoolingLayout(StrEnum):
    """How the configuration names a cooling without fans (``CoolingConfiguration.mode``).

    Source: braiins/bos-plus-api, proto/bos/v1/cooling.proto and CHANGELOG.md at 1.11.0
    (commit e2b9d357): API 1.4.0 added the ``immersion`` (5) and ``hydro`` (6) modes and
    deprecated ``disabled`` (4); its 26.04 OpenAPI (256foundation/asic-rs,
    meta/braiins/26.04/openapi.json) says cooling cannot be disabled since Braiins OS 24.xx.
    """

    DISABLED = "disabled"  # before 24.xx: immersion is fan control disabled, no fans required
    IMMERSION = "immersion"  # 24.xx and later: a mode of its own
    HYDRO = "hydro"  # 24.xx and later, on hydro-cooled models: no fans, but no immersion


@dataclass(slots=True)
class BraiinsDevice:
    """Everything the Braiins replies are built from; ``tokens`` are those ``Login`` gave out."""

    state: MinerState
    model: BraiinsModel
    identity: Identity
    password: str = DEFAULT_PASSWORD
    locating: bool = False
    power_target: int = 0
    # Cooling: immersion mode (no fan control, no fans required), else the fan mode. The miner
    # keeps hashing either way (the fault a missing fan causes in the fan mode is not simulated).
    immersion: bool = True
    # The mode the configuration names while ``immersion`` holds (the simulated 25.01 release
    # names its own ``immersion`` mode).
    no_fan_layout: CoolingLayout = CoolingLayout.IMMERSION
    tokens: set[str] = field(default_factory=set)
    # Boards (by index) whose readings are all zero, as a board that does not hash and whose
    # sensors are not read: each reading an empty message on the wire (proto3 leaves a zero out,
    # the message around it stays), ``GetHashboards`` as braiins/bos-plus-api's miner.proto
    # (1.11.0) describes its Hashboard. No board at all: ``lists_boards`` False.
    zeroed_boards: frozenset[int] = frozenset()
    lists_boards: bool = True
    # Boards listed beyond the model's (copies of the last), as a variant with more boards than
    # pyasic 0.79.0's model table expects: pyasic fails on the board it has no slot for.
    extra_boards: int = 0

    def __post_init__(self) -> None:
        """Start at the nameplate power."""
        self.power_target = self.model.watts

    def login(self, username: str, password: str) -> str | None:
        """A new session token for root's password, else None."""
        if username != "root" or password != self.password:
            return None
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return token

    def set_power_target(self, watts: int) -> int:
        """What ``SetPowerTarget`` does: retune to the clamped target."""
        self.power_target = set_power_target(self.state, watts, self.model.min_watts)
        return self.power_target
