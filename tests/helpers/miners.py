"""Simulated miners as the integration tests run them."""

from typing import Any

# Retune and warm up in half a second, no noise: readings are exactly the simulator's truth.
FAST_SIM: dict[str, Any] = {"retune_seconds": 0.5, "warmup_seconds": 0.5, "noise": 0.0}
# Turns of the event loop after which what a miner answered has been read by its client: a test
# that waits on a hung miner only moves time once the others' answers are in.
STEADY_TURNS = 50
