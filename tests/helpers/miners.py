"""Simulated miners as the integration tests run them."""

from typing import Any

# Retune and warm up in half a second, no noise: readings are exactly the simulator's truth.
FAST_SIM: dict[str, Any] = {"retune_seconds": 0.5, "warmup_seconds": 0.5, "noise": 0.0}
