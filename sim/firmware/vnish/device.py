"""One simulated VNish miner: physics, model, identity and what its firmware keeps."""

import secrets
from dataclasses import dataclass, field

from sim.firmware.vnish.models import VNishModel
from sim.identity import Identity
from sim.physics import MinerState

DEFAULT_PASSWORD = "admin"  # noqa: S105 - VNish's default web password


@dataclass(slots=True)
class VNishDevice:
    """Everything the VNish replies are built from; ``tokens`` are those ``unlock`` gave out."""

    state: MinerState
    model: VNishModel
    identity: Identity
    password: str = DEFAULT_PASSWORD
    locating: bool = False
    tokens: set[str] = field(default_factory=set)

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
