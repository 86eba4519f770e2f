"""Constants for the HashHeat integration."""

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "hashheat"
LOGGER = logging.getLogger(__package__)

SUBENTRY_MINER: Final = "miner"

CONF_MAC: Final = "mac"
CONF_SERIAL: Final = "serial"
CONF_MAKE: Final = "make"
CONF_MODEL: Final = "model"
CONF_FIRMWARE: Final = "firmware"
CONF_FIRMWARE_VERSION: Final = "firmware_version"
CONF_CAPABILITIES: Final = "capabilities"
CONF_SUBNET: Final = "subnet"
CONF_MINERS: Final = "miners"
CONF_SITE: Final = "site"

DEFAULT_SITE_NAME: Final = "Heating loop"

SCAN_INTERVAL: Final = timedelta(seconds=15)
# Presets, work levels and what the firmware supports change rarely (firmware updates).
CAPABILITIES_INTERVAL: Final = timedelta(minutes=10)
# A miner that has not answered within this time is treated as unreachable for this poll;
# pyasic itself would wait up to 100 s on a silent socket.
MINER_TIMEOUT_SECONDS: Final = 10.0
# Detection runs the pyasic factory (web and RPC probes with their own 3 s timeouts).
DETECT_TIMEOUT_SECONDS: Final = 15.0
# Upper bound on miners polled at once within a site.
MAX_CONCURRENT_POLLS: Final = 32
# Re-run detection after this many consecutive failed polls of a miner.
REDETECT_AFTER_FAILURES: Final = 3
# How long the identify button blinks a miner's fault light.
IDENTIFY_DURATION: Final = timedelta(seconds=60)
# A miner unreachable for this long raises a repair issue.
UNREACHABLE_REPAIR_AFTER: Final = timedelta(minutes=30)
# Network scans: at most this many addresses, and this long in all.
MAX_SCAN_ADDRESSES: Final = 1024
SCAN_TIMEOUT_SECONDS: Final = 120.0
