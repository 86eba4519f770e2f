"""End-to-end browser test of the demo (``scripts/e2e``): Debian's chromium driven by Playwright.

It logs in, adds a site and miners found by a network scan through the UI, opens a miner's
device page, changes the loop's setpoint in the more-info dialog (checked through the REST API)
and opens the dashboard, saving screenshots to docs/screenshots/.
"""
