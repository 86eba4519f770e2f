"""Reading back what the domain saved across a restart: a damaged value is skipped, not trusted."""

import math
from typing import Any, TypeGuard


def is_finite_number(value: Any) -> TypeGuard[float]:
    """A real, finite number (not a bool, NaN or infinity) as saved by ``as_dict``."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
