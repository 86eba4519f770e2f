"""Static facts about one simulated miner: network identity, firmware version, pool."""

from dataclasses import dataclass, field

LUXMINER_VERSION = "2024.11.8.160208-8b3c55b4"


@dataclass(slots=True)
class Identity:
    """Who a simulated miner is; shared by both firmware families.

    ``mac`` is always lowercase and colon-separated (each API formats it its own way).
    For Avalon miners ``serial`` is the DNA and ``firmware`` the LVERSION; ``red_led``,
    ``tempctrl`` and :attr:`description` are LuxOS's only.
    """

    host: str
    mac: str
    hostname: str
    serial: str
    firmware: str = LUXMINER_VERSION
    pool_url: str = "stratum+tcp://btc.global.luxor.tech:700"
    pool_user: str = "hashheat.sim"
    red_led: str = "off"
    tempctrl: dict[str, float] = field(
        default_factory=lambda: {"Target": 55.0, "Hot": 65.0, "Dangerous": 70.0}
    )

    @property
    def description(self) -> str:
        """The ``Description`` LuxOS puts in every STATUS."""
        return f"LUXminer {self.firmware}"
