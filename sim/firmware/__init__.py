"""Firmware APIs of the simulated miners, one package per family."""
