"""What the browser test does, step by step, as a user would; checks go through the REST API."""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import APIRequestContext, Locator, Page, expect

from demo.access import Access
from demo.e2e.browser import save_screenshot
from demo.settings import DemoSettings
from demo.waiting import DemoError

__all__ = ["STEPS", "Context", "remove_site"]

DASHBOARD = "/hashheat-demo"
# Miners are offered as "<model> (<address>)" in the scan's results.
MINER_TITLE = re.compile(r"\(\d+\.\d+\.\d+\.\d+\)\s*$")


@dataclass(kw_only=True)
class Context:
    """The browser page, the REST API and what the steps found so far."""

    page: Page
    api: APIRequestContext
    access: Access
    settings: DemoSettings
    screenshots: Path
    site: str = "E2E loop"
    miners: list[str] = field(default_factory=list)

    def shot(self, name: str) -> None:
        """Save a screenshot for the README."""
        save_screenshot(self.page, self.screenshots / f"{name}.png")

    def get(self, path: str) -> Any:  # noqa: ANN401 - JSON of any shape
        """GET from Home Assistant's REST API."""
        response = self.api.get(path)
        if not response.ok:
            raise DemoError(f"GET {path}: HTTP {response.status}: {response.text()[:300]}")
        return response.json()

    def site_entry(self) -> dict[str, Any] | None:
        """The config entry of the test's site."""
        entries = self.get("/api/config/config_entries/entry?domain=hashheat")
        return next((entry for entry in entries if entry["title"] == self.site), None)

    def url(self, path: str) -> str:
        """An address in Home Assistant's frontend."""
        return self.access.url + path


def poll[T](what: str, check: Callable[[], T | None], timeout: float = 30.0) -> T:
    """Call ``check`` until it returns something; DemoError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (result := check()) is None:
        if time.monotonic() > deadline:
            raise DemoError(f"{what}: not within {timeout:g} s")
        time.sleep(0.25)
    return result


def remove_site(ctx: Context) -> None:
    """Delete the test's site left from an earlier run (its miners become spare again)."""
    while (entry := ctx.site_entry()) is not None:
        ctx.api.delete(f"/api/config/config_entries/entry/{entry['entry_id']}")


def _dialog(page: Page) -> Locator:
    return page.locator("ha-dialog")


def _scan(ctx: Context, dialog: Locator) -> str:
    """Scan the spare subnet from the open flow dialog and pick the first new miner."""
    dialog.get_by_role("textbox", name="Subnet").fill(ctx.access.spare_subnet)
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_role("checkbox").first).to_be_visible()
    offered = [text.strip() for text in dialog.get_by_text(MINER_TITLE).all_inner_texts()]
    title = next((text for text in offered if text not in ctx.miners), None)
    if title is None:
        raise DemoError(f"the scan of {ctx.access.spare_subnet} offered no new miner: {offered}")
    for text in offered:  # exactly one
        dialog.get_by_role("checkbox", name=text).set_checked(text == title)
    return title


def login(ctx: Context) -> None:
    """Log in with the demo user."""
    page = ctx.page
    page.goto(ctx.url("/"))
    page.get_by_role("textbox", name="Username").fill(ctx.access.username)
    page.get_by_role("textbox", name="Password").fill(ctx.access.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/" not in url and "/home" in url)


def add_site(ctx: Context) -> None:
    """Settings → Devices & services → Add integration → HashHeat: a site, its miner scanned."""
    page = ctx.page
    page.goto(ctx.url("/config/integrations/dashboard"))
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("HashHeat")
    dialog = _dialog(page)
    dialog.get_by_text("HashHeat", exact=True).click()
    dialog.get_by_role("textbox", name="Site name").fill(ctx.site)
    expect(dialog.get_by_role("textbox", name="Miner address (optional)")).to_be_empty()
    ctx.shot("add-site")
    dialog.get_by_role("button", name="Submit").click()  # no address: scan
    ctx.miners.append(_scan(ctx, dialog))
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
    expect(dialog).to_have_count(0)
    entry = poll("the site in Home Assistant", ctx.site_entry)
    if entry["num_subentries"] != 1:
        raise DemoError(f"{ctx.site} has {entry['num_subentries']} miners, expected 1")


def add_miner_by_scan(ctx: Context) -> None:
    """The site's *Add miner* → *Scan the network*: a second miner from the spare subnet."""
    page = ctx.page
    page.goto(ctx.url("/config/integrations/integration/hashheat"))
    page.get_by_role("button", name="Add miner").click()
    dialog = _dialog(page)
    dialog.get_by_text(ctx.site, exact=True).click()
    dialog.get_by_text("Scan the network").click()
    ctx.miners.append(_scan(ctx, dialog))
    ctx.shot("scan-found")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text(f"Created configuration for {ctx.miners[-1]}")).to_be_visible()
    dialog.get_by_role("button", name="Finish").click()
    expect(dialog).to_have_count(0)
    poll(
        "the second miner in the site",
        lambda: True if (e := ctx.site_entry()) and e["num_subentries"] == 2 else None,  # noqa: PLR2004
    )
    page.get_by_role("button", name=re.compile(ctx.site)).first.scroll_into_view_if_needed()
    ctx.shot("integration")


def miner_device(ctx: Context) -> None:
    """The new miner's device page, with live readings."""
    page = ctx.page
    title = ctx.miners[-1]
    page.goto(ctx.url("/config/devices/dashboard"))
    search = page.get_by_placeholder(re.compile(r"^Search")).locator("visible=true").first
    search.fill(title)
    page.get_by_text(title, exact=True).first.click()
    expect(page.get_by_text("Device info")).to_be_visible()
    expect(page.get_by_text("Efficiency")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+(\.\d+)? J/TH"))).to_be_visible()
    ctx.shot("miner-device")


def _click_until(
    button: Locator,
    what: str,
    check: Callable[[], bool | None],
    current: Callable[[], float],
    attempts: int = 3,
) -> None:
    """Click ``button`` until ``check`` holds; a click again only if the first one changed nothing.

    The frontend sends the new target a second after the click (it debounces); a click that lands
    while the dialog is still rendering is lost, and clicking again then is what a user would do.
    """
    unchanged = current()
    for attempt in range(1, attempts + 1):
        button.click()
        try:
            poll(what, check, timeout=10)
        except DemoError:
            if attempt == attempts or current() != unchanged:
                poll(what, check)
                return
        else:
            return


def loop_setpoint(ctx: Context) -> None:
    """The Loop's more-info dialog: "+" raises the target 0.5 K in Home Assistant, "-" lowers it."""
    page = ctx.page
    loop = f"climate.{ctx.settings.entity_prefix}_loop"

    def target() -> float:
        return float(ctx.get(f"/api/states/{loop}")["attributes"]["temperature"])

    def reached(value: float) -> Callable[[], bool | None]:
        return lambda: True if target() == value else None

    page.goto(ctx.url(f"{DASHBOARD}/site"))
    before = target()
    card = page.locator("hui-thermostat-card")
    card.get_by_role("button", name=re.compile("more", re.IGNORECASE)).click()
    dialog = page.locator("ha-more-info-dialog")
    expect(dialog.get_by_text("Current temperature")).to_be_visible()
    # The frontend (20260930.5) gives these two buttons no accessible name: "-" comes first.
    buttons = dialog.locator("ha-state-control-climate-temperature ha-outlined-icon-button")
    expect(buttons).to_have_count(2)
    lower, higher = buttons.nth(0), buttons.nth(1)
    _click_until(higher, f"{loop} target {before + 0.5:g} °C", reached(before + 0.5), target)
    ctx.shot("loop-more-info")
    _click_until(lower, f"{loop} target back to {before:g} °C", reached(before), target)
    dialog.get_by_role("button", name="Close").first.click()


def dashboard(ctx: Context) -> None:
    """The HashHeat dashboard: loop, miners, heat, money and safety."""
    page = ctx.page
    page.goto(ctx.url(f"{DASHBOARD}/site"))
    expect(page.get_by_text("No interlock active.")).to_be_visible()
    expect(page.locator("hui-history-graph-card ha-chart-base").first).to_be_visible()
    expect(page.get_by_text("Loop temperatures and setpoint")).to_be_visible()
    page.wait_for_load_state("networkidle")
    ctx.shot("dashboard")
    page.goto(ctx.url(f"{DASHBOARD}/miners"))
    expect(page.locator("hui-tile-card").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    ctx.shot("dashboard-miners")


def pump_interlock(ctx: Context) -> None:
    """The dashboard's *Loop pump* off: the pump interlock stops the miners; on: it clears."""
    page = ctx.page
    loop = f"/api/states/climate.{ctx.settings.entity_prefix}_loop"

    def interlocks() -> list[str]:
        return list(ctx.get(loop)["attributes"]["interlocks"])

    page.goto(ctx.url(f"{DASHBOARD}/site"))
    row = page.locator("hui-toggle-entity-row").filter(has_text="Loop pump")
    state, pump = row.get_by_role("switch"), row.locator("ha-switch")  # the switch one clicks
    expect(state).to_be_checked()
    # Centred, not at the top edge where the dashboard's sticky header would take the click.
    pump.evaluate("element => element.scrollIntoView({block: 'center'})")
    pump.click()
    poll("the pump interlock", lambda: True if "pump" in interlocks() else None, timeout=60)
    expect(page.get_by_text(re.compile(r"Interlock: pump"))).to_be_visible()
    ctx.shot("dashboard-interlock")
    pump.click()
    expect(state).to_be_checked()
    poll("the pump interlock cleared", lambda: True if not interlocks() else None, timeout=60)
    expect(page.get_by_text("No interlock active.")).to_be_visible()


def _numeric(ctx: Context, entity_id: str) -> float | None:
    try:
        return float(ctx.get(f"/api/states/{entity_id}")["state"])
    except ValueError:
        return None


def report_view(ctx: Context) -> None:
    """The dashboard's Report view: months of (simulated demo) history; the report action agrees."""
    page = ctx.page
    entries = ctx.get("/api/config/config_entries/entry?domain=hashheat")
    demo_site = next(e for e in entries if e["title"] == ctx.settings.site_name)
    today = datetime.now(ZoneInfo(ctx.settings.time_zone)).date()
    last_month = today.replace(day=1) - timedelta(days=1)
    response = ctx.api.post(
        "/api/services/hashheat/report?return_response",
        data={
            "config_entry_id": demo_site["entry_id"],
            "period": "month",
            "date": last_month.isoformat(),
        },
    )
    if not response.ok:
        raise DemoError(f"hashheat.report: HTTP {response.status}: {response.text()[:300]}")
    report = response.json()["service_response"]
    if not report.get("heat_kwh") or not report.get("electricity_kwh"):
        raise DemoError(f"the report of {last_month:%Y-%m} has no heat or electricity: {report}")
    # The frontend charts a sensor's statistics once the sensor has a value: the net cost of heat
    # once heat is counted, the exchanger's conductance once it is measured.
    for key in ("net_cost_of_heat", "heat_exchanger_conductance"):
        entity_id = f"sensor.{ctx.settings.entity_prefix}_{key}"
        poll(f"{entity_id} has a value", partial(_numeric, ctx, entity_id), timeout=300)
    page.goto(ctx.url(f"{DASHBOARD}/report"))
    charts = page.locator("hui-statistics-graph-card ha-chart-base")
    expect(charts.first).to_be_visible()
    expect(page.get_by_text("Heat and electricity per month")).to_be_visible()
    expect(page.get_by_text(re.compile("No statistics found", re.IGNORECASE))).to_have_count(0)
    page.wait_for_load_state("networkidle")
    ctx.shot("report")


STEPS: tuple[Callable[[Context], None], ...] = (
    login,
    add_site,
    add_miner_by_scan,
    miner_device,
    loop_setpoint,
    dashboard,
    report_view,
    pump_interlock,
)
