"""The HashHeat demo: a simulated site, Home Assistant set up through its own APIs, a dashboard.

``scripts/demo`` runs :mod:`demo.__main__`; ``scripts/e2e`` runs the browser test in
:mod:`demo.e2e` against it. Nothing here is part of the integration.
"""
