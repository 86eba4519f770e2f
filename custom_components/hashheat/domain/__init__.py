"""Decisions of HashHeat as plain, typed Python: no Home Assistant here (ruff TID251)."""
