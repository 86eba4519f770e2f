"""One simulated Whatsminer: physics, model, identity and what its firmware keeps."""

import secrets
import string
from dataclasses import dataclass, field

from sim.firmware.watts import set_power_target
from sim.firmware.whatsminer.models import WhatsminerModel
from sim.identity import Identity
from sim.physics import MinerState

DEFAULT_PASSWORD = "super"  # noqa: S105 - the firmware's default for its "super" account
_SALT_ALPHABET = string.ascii_letters + string.digits


@dataclass(slots=True)
class WhatsminerDevice:
    """Everything the Whatsminer replies are built from; ``power_limit`` is in watts."""

    state: MinerState
    model: WhatsminerModel
    identity: Identity
    password: str = DEFAULT_PASSWORD
    salt: str = field(
        default_factory=lambda: "".join(secrets.choice(_SALT_ALPHABET) for _ in range(8))
    )
    led_manual: bool = False
    power_limit: int = 0
    # Watts outside which ``set.miner.power_limit`` fails (code -1) instead of clamping: the code
    # API v3 answers a write it did not apply (any nonzero code is a failure, as
    # 256foundation/asic-rs whatsminer/src/backends/v3/rpc.rs reads the replies). None: clamps.
    accepted_watts: range | None = None
    # Whether ``get.device.info`` has the ``hardware.boards`` count pyasic 0.79.0 reads. False: the
    # layout of firmware 20251209.16.Rel2 (API 3.0.2) as recorded in 256foundation/asic-rs
    # whatsminer/src/test/json/v3/get_device_info.json, which counts the boards only as the
    # string ``miner.board-num``; pyasic then assumes three boards.
    lists_hardware: bool = True

    def __post_init__(self) -> None:
        """Start at the nameplate power."""
        self.power_limit = self.model.watts

    def set_power_limit(self, watts: int) -> int:
        """What ``set.miner.power_limit`` does: retune to the clamped limit."""
        self.power_limit = set_power_target(self.state, watts, self.model.min_watts)
        return self.power_limit
