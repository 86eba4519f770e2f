"""The heating plant: its model (``sim.plant.model``), controllers, runs and scenarios."""

# A star import so that names added to the model are importable from sim.plant at once.
from sim.plant.model import *  # noqa: F403
