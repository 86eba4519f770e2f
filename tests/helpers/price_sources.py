"""The price integrations' fixtures (tests/fixtures/price_sources), as Home Assistant holds them.

JSON has no datetimes. Where an integration puts Python datetimes in its state attributes, the
fixtures hold their ISO text; ``load`` turns them back into aware datetimes: in Home Assistant's
time zone (``zoneinfo``, one tzinfo shared by all, as ``dt_util.as_local`` gives them) or in UTC,
as each fixture's notes say. Everything else stays as the fixture has it.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.settings import plant_defaults

from .flows import sections

FIXTURES: Final = Path(__file__).parent.parent / "fixtures" / "price_sources"
NAMES: Final = tuple(sorted(path.name for path in FIXTURES.glob("*.json")))

_LOCAL: Final = "local"

# Per fixture family: the attributes whose datetimes are datetime objects in Home Assistant.
# (attribute, keys of its items or None for the attribute itself, zone)
_DATETIMES: Final[Mapping[str, tuple[tuple[str, tuple[str, ...] | None, str], ...]]] = {
    # custom_components/nordpool/sensor.py: raw_today/raw_tomorrow from dt_util.as_local
    "nordpool_hacs__": (
        ("raw_today", ("start", "end"), _LOCAL),
        ("raw_tomorrow", ("start", "end"), _LOCAL),
    ),
    # v9+: the rates events' items and the rate sensors' start/end are as_local datetimes
    "octopus_energy__v18": (
        ("rates", ("start", "end"), _LOCAL),
        ("start", None, _LOCAL),
        ("end", None, _LOCAL),
    ),
    # v8: the API's rates with UTC datetimes, on the sensors and in the (disabled) events
    "octopus_energy__v8": (
        ("all_rates", ("valid_from", "valid_to"), "UTC"),
        ("applicable_rates", ("valid_from", "valid_to"), "UTC"),
        ("rates", ("valid_from", "valid_to"), "UTC"),
        ("valid_from", None, "UTC"),
        ("valid_to", None, "UTC"),
    ),
}


def _moment(value: object, zone: tzinfo) -> object:
    """ISO text as an aware datetime in ``zone``; anything else (None too) unchanged."""
    return datetime.fromisoformat(value).astimezone(zone) if isinstance(value, str) else value


def _restore(name: str, attributes: dict[str, Any], local: ZoneInfo) -> dict[str, Any]:
    """A copy of ``attributes`` with the family's datetimes as Home Assistant holds them."""
    restored = dict(attributes)
    family = next((rules for prefix, rules in _DATETIMES.items() if name.startswith(prefix)), ())
    for attribute, keys, zone_name in family:
        if attribute not in restored:
            continue
        zone = local if zone_name == _LOCAL else UTC
        value = restored[attribute]
        if keys is None:
            restored[attribute] = _moment(value, zone)
        elif isinstance(value, list):
            restored[attribute] = [
                {key: _moment(item[key], zone) if key in keys else item[key] for key in item}
                for item in value
            ]
    return restored


@dataclass(frozen=True, kw_only=True)
class PriceFixture:
    """One fixture: the integration's entities and action calls at one instant."""

    name: str
    document: dict[str, Any]
    zone: ZoneInfo
    now: datetime
    entities: dict[str, dict[str, Any]]

    def state(self, entity_id: str) -> str:
        """The entity's state as Home Assistant writes it."""
        return str(self.entities[entity_id]["state"])

    def attributes(self, entity_id: str) -> dict[str, Any]:
        """The entity's state attributes, datetimes restored."""
        attributes: dict[str, Any] = self.entities[entity_id]["attributes"]
        return attributes

    def responses(self, service: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The (request, response) of each recorded call of ``service``, in the fixture's order."""
        return [
            (action["request"], action["response"])
            for action in self.document.get("actions", [])
            if action["service"] == service
        ]


def load(name: str) -> PriceFixture:
    """A fixture by file name, as Home Assistant would hold its states at the fixture's now."""
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    zone = ZoneInfo(str(document.get("time_zone") or document["timezone"]).split()[0])
    entities = {
        entity["entity_id"]: {
            **entity,
            "attributes": _restore(name, entity.get("attributes") or {}, zone),
        }
        for entity in document["entities"]
    }
    return PriceFixture(
        name=name,
        document=document,
        zone=zone,
        now=datetime.fromisoformat(document["now"]).astimezone(zone),
        entities=entities,
    )


def install(hass: HomeAssistant, fixture: PriceFixture) -> MockConfigEntry:
    """The integration as it is at the fixture's now: its config entry, devices, registry
    entries (disabled ones without a state, as in Home Assistant), states and actions."""
    config = fixture.document["config_entry"]
    entry = MockConfigEntry(
        domain=config["domain"],
        title=config.get("title", config["domain"]),
        data=config.get("data", {}),
        options=config.get("options", {}),
        entry_id=config.get("entry_id"),
    )
    entry.add_to_hass(hass)
    devices, registry = dr.async_get(hass), er.async_get(hass)
    for entity_id, entity in fixture.entities.items():
        device_id = None
        if device := entity.get("device"):
            device_id = devices.async_get_or_create(
                config_entry_id=entry.entry_id,
                identifiers={(str(a), str(b)) for a, b in device["identifiers"]},
                name=device.get("name"),
            ).id
        domain, object_id = entity_id.split(".", 1)
        enabled = bool(entity["enabled_by_default"])
        registry.async_get_or_create(
            domain,
            entity["platform"],
            entity["unique_id"],
            config_entry=entry,
            device_id=device_id,
            suggested_object_id=object_id,
            disabled_by=None if enabled else er.RegistryEntryDisabler.INTEGRATION,
        )
        if enabled:
            hass.states.async_set(
                entity_id, fixture.state(entity_id), fixture.attributes(entity_id)
            )
    for service in {action["service"] for action in fixture.document.get("actions", [])}:
        _register(hass, fixture, service)
    return entry


# Tomorrow's day-ahead prices are out (the fixtures' notes: Nord Pool ~12:45-13:00 CET; the
# before-publication calls were recorded at 10:00 CET, the others at 14:20 CET).
PUBLISHED: Final = datetime.fromisoformat("2026-03-28T13:00:00+01:00")


def _size(response: object) -> int:
    """How many price entries a response holds, wherever its lists are."""
    if isinstance(response, list):
        return len(response)
    if isinstance(response, Mapping):
        return sum(_size(value) for value in response.values())
    return 0


def _register(hass: HomeAssistant, fixture: PriceFixture, service: str) -> None:
    calls = fixture.responses(service)
    domain = next(a["domain"] for a in fixture.document["actions"] if a["service"] == service)

    async def respond(call: ServiceCall) -> ServiceResponse:
        # The recorded responses for the same day (Nord Pool), else those that asked for the
        # longest period (Tibber: today and tomorrow); a day not recorded has no prices. Of two
        # responses to the same request, the smaller is the one before tomorrow's publication.
        day = call.data.get("date")
        if day is not None:
            answers = [response for request, response in calls if request.get("date") == str(day)]
        else:
            longest = max(len(request) for request, _ in calls)
            answers = [response for request, response in calls if len(request) == longest]
        if not answers:
            return {}
        published = dt_util.utcnow() >= PUBLISHED
        return dict((max if published else min)(answers, key=_size))

    hass.services.async_register(domain, service, respond, supports_response=SupportsResponse.ONLY)


def disable(hass: HomeAssistant, entity_id: str) -> None:
    """Disable an entity as a user (or an older release) did: it has no state any more."""
    er.async_get(hass).async_update_entity(
        entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
    )
    hass.states.async_remove(entity_id)


async def price_source_step(
    hass: HomeAssistant, entry: ConfigEntry, **changes: Any
) -> ConfigFlowResult:
    """The options flow as a user goes through it: the settings (with ``changes``) submitted,
    up to the step that shows what the price source gives."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], sections({**plant_defaults(), **entry.options, **changes})
    )


# The attributes Home Assistant keeps on an entity that is unavailable (its capability
# attributes, name, icon, device class and unit; not its state attributes such as a forecast).
_KEPT_WHEN_UNAVAILABLE: Final = frozenset(
    {
        "state_class",
        "event_types",
        "friendly_name",
        "icon",
        "device_class",
        "unit_of_measurement",
        "supported_features",
    }
)


def make_unavailable(hass: HomeAssistant, fixture: PriceFixture, entity_id: str) -> None:
    """The entity as Home Assistant writes it when its integration reports it unavailable."""
    kept = {
        key: value
        for key, value in fixture.attributes(entity_id).items()
        if key in _KEPT_WHEN_UNAVAILABLE
    }
    hass.states.async_set(entity_id, "unavailable", kept)


def publish(hass: HomeAssistant, fixture: PriceFixture) -> None:
    """The integration's entities updated to ``fixture`` (tomorrow's prices published)."""
    for entity_id, entity in fixture.entities.items():
        if entity["enabled_by_default"]:
            hass.states.async_set(
                entity_id, fixture.state(entity_id), fixture.attributes(entity_id)
            )


type Slot = tuple[datetime, datetime, float]  # start, end (aware), price per kWh


def _from_starts(points: list[tuple[datetime, float]], last: timedelta) -> list[Slot]:
    """Slots that end where the next begins; the last lasts ``last``."""
    points = sorted(points)
    ends = [start for start, _ in points[1:]] + ([points[-1][0] + last] if points else [])
    return [(start, end, price) for (start, price), end in zip(points, ends, strict=True)]


def _when(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _largest(fixture: PriceFixture, service: str, published: bool, **request: str) -> Any:
    answers = [
        response
        for asked, response in fixture.responses(service)
        if all(asked.get(key) == value for key, value in request.items())
    ]
    return (max if published else min)(answers, key=_size)


def nordpool_core_slots(fixture: PriceFixture, published: bool) -> list[Slot]:
    """``get_prices_for_date`` for each day recorded: ``{GER: [{start, end, price}]}``, /MWh."""
    days = sorted({asked["date"] for asked, _ in fixture.responses("get_prices_for_date")})
    return [
        (_when(item["start"]), _when(item["end"]), item["price"] / 1000)
        for day in days
        for item in _largest(fixture, "get_prices_for_date", published, date=day)["GER"]
    ]


def tibber_slots(fixture: PriceFixture, published: bool) -> list[Slot]:
    """``get_prices`` for today and tomorrow: 15-minute starts and total prices per kWh."""
    response = _largest(fixture, "get_prices", published, start="2026-03-28 00:00:00")
    return _from_starts(
        [(_when(item["start_time"]), item["price"]) for item in response["prices"]["Zuhause"]],
        timedelta(minutes=15),
    )


def attribute_slots(
    entity_id: str, lists: tuple[str, ...], item: tuple[str, str, str], *, scale: float = 1.0
) -> Callable[[PriceFixture, bool], list[Slot]]:
    """Slots from an entity's ``lists`` of items; ``item`` names their start, end and price."""
    start, end, price = item

    def slots(fixture: PriceFixture, _published: bool) -> list[Slot]:
        attributes = fixture.attributes(entity_id)
        return [
            (_when(entry[start]), _when(entry[end]), entry[price] * scale)
            for key in lists
            for entry in attributes.get(key) or []
        ]

    return slots


def entsoe_slots(fixture: PriceFixture, _published: bool) -> list[Slot]:
    """The average sensor's ``prices_today`` and ``prices_tomorrow``: starts at the period."""
    attributes = fixture.attributes("sensor.average_electricity_price")
    items = [*attributes["prices_today"], *attributes["prices_tomorrow"]]
    points = [(_when(item["time"]), item["price"]) for item in items]
    return _from_starts(points, points[1][0] - points[0][0])


def octopus_slots(fixture: PriceFixture, _published: bool) -> list[Slot]:
    """The meter's day rates events: ``rates`` of ``{start, end, value_inc_vat}`` in GBP."""
    prefix = "event.octopus_energy_electricity_22l4381884_1200060123456"
    return [
        (item["start"], item["end"], item["value_inc_vat"])
        for day in ("previous", "current", "next")
        for item in fixture.attributes(f"{prefix}_{day}_day_rates")["rates"]
    ]
