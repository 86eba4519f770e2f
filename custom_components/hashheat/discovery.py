"""Finding miners on a network: subnet validation and a bounded pyasic scan (no Home Assistant)."""

import asyncio
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, cast

from .capabilities import MinerCapabilities
from .miner_client import MinerClient, MinerError, MinerIdentity
from .pyasic_loader import BaseMiner, MinerNetwork

_IDENTIFY_CONCURRENCY: Final = 16


class SubnetProblem(StrEnum):
    """Why a subnet cannot be scanned (values are form error keys)."""

    INVALID = "invalid_subnet"
    PUBLIC = "public_subnet"
    TOO_LARGE = "subnet_too_large"


class SubnetError(ValueError):
    """A subnet the user typed cannot be scanned."""

    def __init__(self, problem: SubnetProblem) -> None:
        """Carry the reason as a form error key."""
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, kw_only=True, slots=True)
class FoundMiner:
    """A miner as detection finds it: who it is and what its firmware can do."""

    identity: MinerIdentity
    capabilities: MinerCapabilities


async def describe(client: MinerClient, *, check_password: bool = False) -> FoundMiner:
    """Read who the client's miner is and what it can do (detecting it unless it came detected).

    ``check_password``: prove the client's password also where the firmware asks for it only to
    write (see :meth:`MinerClient.check_write_access`).
    """
    try:
        found = FoundMiner(
            identity=await client.identify(), capabilities=await client.capabilities()
        )
        if check_password:
            await client.check_write_access()
        return found
    finally:
        client.close()


def parse_scan_subnet(text: str, *, max_addresses: int) -> ipaddress.IPv4Network:
    """Parse a CIDR subnet a user may scan: private or loopback IPv4, at most ``max_addresses``.

    Scanning is probing; it stays on the user's own network and within a sane size.
    """
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise SubnetError(SubnetProblem.INVALID) from None
    if not isinstance(network, ipaddress.IPv4Network):
        raise SubnetError(SubnetProblem.INVALID)
    if not (network.is_private or network.is_loopback) or network.is_multicast:
        raise SubnetError(SubnetProblem.PUBLIC)
    if network.num_addresses > max_addresses:
        raise SubnetError(SubnetProblem.TOO_LARGE)
    return network


def _hosts(network: ipaddress.IPv4Network) -> list[ipaddress.IPv4Address]:
    hosts = list(network.hosts())
    return hosts or [network.network_address]


async def scan_for_miners(
    network: ipaddress.IPv4Network,
    *,
    scan_seconds: float,
    miner_timeout: float,
    on_progress: Callable[[float], None] | None = None,
) -> list[FoundMiner]:
    """Scan a subnet with pyasic and describe each miner found, for ``scan_seconds`` at most.

    Each miner is detected once, by the scan. Progress (0..1) is reported as addresses are
    probed, then as found miners are described.
    """
    hosts = _hosts(network)
    found: dict[str, BaseMiner] = {}
    probed = 0
    scan = MinerNetwork(list(hosts))
    try:
        async with asyncio.timeout(scan_seconds):
            async for result in scan.scan_network_generator():
                miner = cast("BaseMiner | None", result)
                probed += 1
                if miner is not None:
                    found[str(miner.ip)] = miner
                if on_progress is not None:
                    on_progress(0.8 * probed / len(hosts))
    except TimeoutError:
        pass
    semaphore = asyncio.Semaphore(_IDENTIFY_CONCURRENCY)

    async def read(host: str, miner: BaseMiner) -> FoundMiner | None:
        async with semaphore:
            client = MinerClient(
                host, timeout=miner_timeout, detect_timeout=miner_timeout, miner=miner
            )
            try:
                return await describe(client)
            except MinerError:
                return None

    described = await asyncio.gather(*(read(host, miner) for host, miner in found.items()))
    if on_progress is not None:
        on_progress(1.0)
    return sorted(
        (miner for miner in described if miner is not None),
        key=lambda miner: ipaddress.ip_address(miner.identity.host),
    )
