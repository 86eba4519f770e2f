"""Loopback addresses for simulated miners: one per miner, never shared between tests or workers."""

import ipaddress
import itertools
import os
import zlib

# Integration tests take 127.100.0.0-127.199.255.255: one /16 per xdist worker and a fresh address
# per simulated miner, so parallel workers and successive tests never share a socket. The run id
# (shared by the workers of one run) shifts the range, so two runs on one machine rarely meet.
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_run = zlib.crc32(os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid())).encode())
_addresses = (
    f"127.{100 + (_worker + _run) % 100}.{(_run // 100 + n // 254) % 256}.{n % 254 + 1}"
    for n in itertools.count()
)


def next_address() -> str:
    """A loopback address no other test or worker uses."""
    return next(_addresses)


def next_addresses(count: int) -> str:
    """The first of ``count`` consecutive loopback addresses no other test or worker uses."""
    first = next_address()
    for _ in range(count - 1):
        next_address()
    return first


def reserve_subnet(size: int = 8) -> ipaddress.IPv4Network:
    """A fresh aligned block of loopback addresses (for scans), reserved for the caller."""
    while True:
        address = ipaddress.IPv4Address(next_address())
        if int(address) % size == 1 and int(address) % 256 + size - 2 <= 254:
            break
    for _ in range(size - 2):
        next_address()
    return ipaddress.IPv4Network(f"{address - 1}/{32 - size.bit_length() + 1}")
