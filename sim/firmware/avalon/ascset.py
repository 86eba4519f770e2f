"""The Avalon driver's ``ascset`` options (what cgminer calls the device's ``set_device``).

``ascset`` takes ``"<asc>,<option>[,<value>]"``. The driver answers in one of three ways,
which cgminer turns into a STATUS: OK (``"ASC 0 set OK"``, STATUS S), information
(``"ASC 0 set info: <text>"``, STATUS I) or failure (``"ASC 0 set failed: <text>"``,
STATUS E).
"""

import enum
import re
from dataclasses import dataclass

from sim.firmware.avalon.device import AvalonDevice
from sim.firmware.avalon.estats import psu_reading

MAX_REBOOT_DELAY = 300
_FAN_RANGE = (15, 100)
_TARGET_RANGE = (50, 90)
_SOFT = re.compile(r"^(?P<flag>[01]):(?P<ts>\d+)$")
_LED = re.compile(r"^\d+-(?P<on>[01])$")
_INT = re.compile(r"^-?\d+$")


class Outcome(enum.Enum):
    """How the driver answered."""

    OK = "ok"
    INFO = "info"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AscResult:
    """The driver's answer: an outcome and, for INFO and FAILED, its text."""

    outcome: Outcome
    text: str = ""


OK = AscResult(Outcome.OK)


def _info(text: str) -> AscResult:
    return AscResult(Outcome.INFO, text)


def _failed(text: str) -> AscResult:
    return AscResult(Outcome.FAILED, text)


def options(dev: AvalonDevice) -> list[str]:
    """Option names this model's driver accepts, as ``ascset|0,help`` lists them."""
    names = [*dev.model.power_options, *(s.option for s in dev.model.stored)]
    return [
        "help",
        *sorted(set(names)),
        "work_mode_lvl",
        "softoff",
        "softon",
        "led",
        "reboot",
        "fan-spd",
        "target-temp",
        "voltage",
        "filter-clean",
    ]


def apply(dev: AvalonDevice, option: str, value: str | None) -> AscResult:
    """Run one ``ascset`` option with its (unparsed) value."""
    if option == "help":
        return _info("|".join(options(dev)))
    if option in dev.model.power_options or option in {s.option for s in dev.model.stored}:
        return _level_option(dev, option, value)
    handlers = {
        "work_mode_lvl": _work_mode_lvl,
        "softoff": _soft,
        "softon": _soft,
        "led": _led,
        "reboot": _reboot,
        "fan-spd": _fan,
        "target-temp": _target_temp,
        "voltage": _voltage,
        "filter-clean": _accept,
    }
    handler = handlers.get(option)
    if handler is None:
        return _failed(f"Unknown option: {option}")
    return handler(dev, option, value)


def _accept(_dev: AvalonDevice, _option: str, _value: str | None) -> AscResult:
    return OK


def _level_option(dev: AvalonDevice, option: str, value: str | None) -> AscResult:
    """``worklevel``/``workmode``: ``set,<n>`` or ``get``."""
    if value == "get":
        return _info(f"{option} {dev.option_value(option)}")
    action, _, number = (value or "").partition(",")
    if action != "set":
        return _failed(f"Invalid {option} parameter: {value or ''}")
    if not number:
        return _failed(f"Missing {option} value")
    if option in dev.model.power_options:
        allowed = dev.model.level_values
    else:
        allowed = next(s.values for s in dev.model.stored if s.option == option)
    if not _INT.match(number) or int(number) not in allowed:
        valid = " ".join(str(v) for v in allowed)
        return _failed(f"Invalid {option} {number}, valid values: {valid}")
    if option in dev.model.power_options:
        state = dev.state
        state.select(state.get_profile(number))
    else:
        dev.settings.stored[option] = int(number)
    return OK


def _work_mode_lvl(dev: AvalonDevice, _option: str, value: str | None) -> AscResult:
    if value != "get":
        return _failed(f"Invalid work_mode_lvl parameter: {value or ''}")
    mode, level = dev.option_value("workmode"), dev.option_value("worklevel")
    return _info(f"workmode {mode} worklevel {level}")


def _soft(dev: AvalonDevice, option: str, value: str | None) -> AscResult:
    """``softoff``/``softon``: ``<flag>:<unix time>``, takes effect at that time."""
    match = _SOFT.match(value or "")
    if match is None:
        return _failed(f"Invalid {option} parameter: {value or ''}")
    timestamp = int(match["ts"])
    at = dev.to_clock(timestamp)
    if option == "softoff":
        dev.settings.soft_off_time = timestamp
        dev.state.sleep(at=at)
    else:
        dev.settings.soft_on_time = timestamp
        dev.state.wakeup(at=at)
    return _info(f"success {option}:{timestamp}")


def _led(dev: AvalonDevice, _option: str, value: str | None) -> AscResult:
    """``led``: ``<mode>-<0|1>``; the last digit switches the locator LED."""
    match = _LED.match(value or "")
    if match is None:
        return _failed(f"Invalid led parameter: {value or ''}")
    dev.settings.led = match["on"] == "1"
    return OK


def _reboot(dev: AvalonDevice, _option: str, value: str | None) -> AscResult:
    """``reboot``: ``<delay seconds 0-300>``; the device reboots after the delay."""
    if value is None or not _INT.match(value) or not 0 <= int(value) <= MAX_REBOOT_DELAY:
        return _failed(f"Invalid reboot delay: {value or ''}")
    state = dev.state
    state.reboot(at=state.clock() + int(value))
    return OK


def _in_range(text: str, bounds: tuple[int, int]) -> bool:
    return bool(_INT.match(text)) and bounds[0] <= int(text) <= bounds[1]


def _fan(dev: AvalonDevice, _option: str, value: str | None) -> AscResult:
    """``fan-spd``: ``-1`` (auto), ``<15-100>`` or ``<min>..<max>``; stored only (immersion)."""
    text = value or ""
    low, sep, high = text.partition("..")
    valid = text == "-1" or (
        _in_range(low, _FAN_RANGE) and (not sep or _in_range(high, _FAN_RANGE))
    )
    if not valid:
        return _failed(f"Invalid fan-spd parameter: {text}")
    dev.settings.fan_speed = text
    return OK


def _target_temp(dev: AvalonDevice, _option: str, value: str | None) -> AscResult:
    if not _in_range(value or "", _TARGET_RANGE):
        return _failed(f"Invalid target-temp parameter: {value or ''}")
    dev.settings.target_temp_c = int(value or "0")
    return OK


def _voltage(dev: AvalonDevice, _option: str, value: str | None) -> AscResult:
    """``voltage``: without a value, report the PSU's ``PS[...]`` reading."""
    if value is not None:
        return OK
    reading = psu_reading(dev.state.snapshot().watts)
    return _info(f"PS[{' '.join(str(v) for v in reading)}]")
