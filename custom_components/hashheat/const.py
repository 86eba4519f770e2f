"""Constants for the HashHeat integration."""

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "hashheat"
LOGGER = logging.getLogger(__package__)

SUBENTRY_MINER: Final = "miner"

CONF_MAC: Final = "mac"
CONF_MAKE: Final = "make"
CONF_MODEL: Final = "model"
CONF_FIRMWARE: Final = "firmware"

DEFAULT_SITE_NAME: Final = "Heating loop"

SCAN_INTERVAL: Final = timedelta(seconds=15)
# A miner that has not answered within this time is treated as unreachable for this poll;
# pyasic itself would wait up to 100 s on a silent socket.
MINER_TIMEOUT_SECONDS: Final = 10.0
# Detection runs the pyasic factory (web and RPC probes with their own 3 s timeouts).
DETECT_TIMEOUT_SECONDS: Final = 15.0
# Upper bound on miners polled at once within a site.
MAX_CONCURRENT_POLLS: Final = 32
# Re-run detection after this many consecutive failed polls of a miner.
REDETECT_AFTER_FAILURES: Final = 3
