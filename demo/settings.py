"""What the demo starts and where: one place for addresses, ports, paths and the login."""

from dataclasses import dataclass, field
from pathlib import Path

from sim.__main__ import DEFAULT_MIX

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / ".demo"
CONFIG_DIR = DEMO_DIR / "config"
LOG_DIR = DEMO_DIR / "logs"
ACCESS_FILE = DEMO_DIR / "access.json"
PACKAGE_DIR = Path(__file__).resolve().parent
BLUEPRINTS = REPO / "blueprints" / "automation" / "hashheat"
INTEGRATION = REPO / "custom_components" / "hashheat"
# The demo's site: three LuxOS Antminer S19 XP and two Canaan Avalon Mini3 in one tank.
SITE_MINERS: tuple[str, ...] = ("Antminer S19 XP",) * 3 + ("Avalon Mini3",) * 2
# ``scripts/demo --mix``: one miner of each firmware family (LuxOS, Avalon, Whatsminer API v3,
# VNish, Braiins OS+), as ``python -m sim fleet --mix`` runs them.
FIVE_FAMILIES: tuple[str, ...] = DEFAULT_MIX


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoSettings:
    """One demo: its site, its spare miners, the plant server and Home Assistant."""

    ha_host: str = "127.0.0.1"
    ha_port: int = 8123
    username: str = "demo"
    password: str = "demo-hashheat"  # noqa: S105 - the demo's documented login
    display_name: str = "Demo"
    language: str = "en"
    time_zone: str = "Europe/Berlin"
    site_name: str = "Boiler room"
    miner_models: tuple[str, ...] = SITE_MINERS
    miner_hosts: tuple[str, ...] = tuple(f"127.60.0.{n}" for n in range(1, 6))
    spare_subnet: str = "127.77.1.0/29"
    spare_first_address: str = "127.77.1.1"
    spare_count: int = 3
    scenario: str = "mild"
    speed: float = 1.0
    sim_port: int = 8300
    # Simulated degradations (``python -m sim site --degrade``), e.g. "fouling:0.2:3".
    degradations: tuple[str, ...] = ()
    # Return temperature the demo's loop holds (the mild scenario starts at 36.6 °C). The tank
    # then stays below 47 °C, so an Avalon's hashboard outlet (which HashHeat reads as its
    # fluid outlet), 15 K above the tank at full power, stays below the 65 °C interlock.
    target_c: float = 36.5
    gas_price_per_kwh: float = 0.10
    extra_hass_args: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ha_url(self) -> str:
        """Home Assistant's address."""
        return f"http://{self.ha_host}:{self.ha_port}"

    @property
    def sim_url(self) -> str:
        """The simulated site's HTTP server (plant, pump, price, mempool API)."""
        return f"http://127.0.0.1:{self.sim_port}"

    @property
    def client_id(self) -> str:
        """OAuth client id the frontend uses for this address."""
        return f"{self.ha_url}/"

    @property
    def entity_prefix(self) -> str:
        """Object-id prefix of the site's entities ("Boiler room" -> "boiler_room")."""
        return "_".join(self.site_name.lower().split())
