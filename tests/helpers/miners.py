"""Simulated miners as the integration tests run them."""

from contextlib import AbstractAsyncContextManager
from typing import Any

from sim import Fleet, start_fleet

from .addresses import next_addresses

# Retune and warm up in half a second, no noise: readings are exactly the simulator's truth.
FAST_SIM: dict[str, Any] = {"retune_seconds": 0.5, "warmup_seconds": 0.5, "noise": 0.0}
# Turns of the event loop after which what a miner answered has been read by its client: a test
# that waits on a hung miner only moves time once the others' answers are in.
STEADY_TURNS = 50


def simulated_fleet(miners: int | list[str]) -> AbstractAsyncContextManager[Fleet]:
    """``miners`` LuxOS miners, or one miner of each model named, on fresh addresses."""
    models = miners if isinstance(miners, list) else None
    count = len(miners) if isinstance(miners, list) else miners
    # Avalon Mini 3 firmware gives its MAC only on its web page (port 80 of its own address).
    return start_fleet(
        count=count, first_address=next_addresses(count), models=models, web_port=80, **FAST_SIM
    )
