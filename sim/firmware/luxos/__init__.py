"""LuxOS: the cgminer-style API with sessions and profiles on port 4028."""
