"""``python -m demo.e2e`` (``scripts/e2e``): the browser test against a live demo."""

import sys
import time
import traceback

from playwright.sync_api import expect, sync_playwright

from demo.e2e.browser import VIEWPORT, launch, save_screenshot
from demo.e2e.demo_process import DemoUnderTest
from demo.e2e.steps import STEPS, Context, remove_site
from demo.settings import DEMO_DIR, REPO, DemoSettings
from demo.waiting import DemoError

SCREENSHOTS = REPO / "docs" / "screenshots"
FAILURES = DEMO_DIR / "e2e"
TIMEOUT_MS = 30_000


def say(text: str) -> None:
    """One line of the test's progress."""
    sys.stdout.write(f"[e2e] {text}\n")
    sys.stdout.flush()


def run_steps(demo: DemoUnderTest, settings: DemoSettings) -> tuple[int, int]:
    """Run every step in one browser; stop at the first failure. (passed, failed)."""
    access = demo.ensure()
    say(
        f"demo live at {access.url}"
        + (f" after {demo.started_in:.0f} s" if demo.started_in is not None else " (reused)")
    )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright, launch(playwright) as browser:
        page = browser.new_page(
            viewport=VIEWPORT,  # type: ignore[arg-type]
            locale="en-US",
            timezone_id=settings.time_zone,
        )
        page.set_default_timeout(TIMEOUT_MS)
        api = playwright.request.new_context(
            base_url=access.url, extra_http_headers={"Authorization": f"Bearer {access.token}"}
        )
        context = Context(
            page=page, api=api, access=access, settings=settings, screenshots=SCREENSHOTS
        )
        remove_site(context)
        passed = 0
        for step in STEPS:
            started = time.monotonic()
            try:
                step(context)
            except Exception as err:  # noqa: BLE001 - any failure: report it with a screenshot
                failure = FAILURES / f"failure-{step.__name__}.png"
                save_screenshot(page, failure)
                say(f"FAILED {step.__name__}: {type(err).__name__}: {err}")
                say(f"page {page.url}; screenshot {failure}")
                traceback.print_exc()
                return passed, 1
            say(f"ok {step.__name__} ({time.monotonic() - started:.1f} s)")
            passed += 1
        api.dispose()
    return passed, 0


def main() -> int:
    """Run the test; 0 when every step passed."""
    started = time.monotonic()
    demo = DemoUnderTest()
    try:
        passed, failed = run_steps(demo, DemoSettings())
    except DemoError as err:
        say(f"FAILED: {err}")
        passed, failed = 0, 1
    finally:
        demo.stop()
    say(f"done in {time.monotonic() - started:.0f} s; screenshots in {SCREENSHOTS}")
    sys.stdout.write(f"e2e: {passed} passed, {failed} failed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
