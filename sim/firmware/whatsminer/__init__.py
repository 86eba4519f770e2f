"""Whatsminer, API v3 (firmware after 2024-11): btminer on 4028, length-prefixed JSON on 4433."""
