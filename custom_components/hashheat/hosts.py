"""Validation of the miner addresses a user types."""

import ipaddress
import re
from typing import Final

_MAX_HOST_LENGTH: Final = 253
_LABEL: Final = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)


def normalize_host(text: str) -> str | None:
    """Return the host as an IP address or DNS name in canonical form, or None if invalid."""
    host = text.strip()
    if not host or len(host) > _MAX_HOST_LENGTH:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit():
        return host.rstrip(".").lower()
    return None
