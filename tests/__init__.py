"""Tests for the HashHeat integration."""
