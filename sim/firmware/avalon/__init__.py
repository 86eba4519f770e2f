"""Canaan Avalon: the cgminer API with work levels on port 4028, and the web MAC page."""
