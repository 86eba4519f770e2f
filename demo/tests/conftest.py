"""Fixtures for the demo's tests: the real Home Assistant test harness with HashHeat loadable.

A test that needs the integration imports from ``custom_components.hashheat`` first, so that
package (not the test harness's own ``custom_components``) is the one Home Assistant finds.
"""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""
