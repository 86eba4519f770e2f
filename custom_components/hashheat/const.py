"""Constants for the HashHeat integration."""

import logging
from datetime import timedelta
from enum import StrEnum
from typing import Final

DOMAIN: Final = "hashheat"
LOGGER = logging.getLogger(__package__)

SUBENTRY_MINER: Final = "miner"

CONF_MAC: Final = "mac"
CONF_SERIAL: Final = "serial"
CONF_MAKE: Final = "make"
CONF_MODEL: Final = "model"
CONF_FIRMWARE: Final = "firmware"
CONF_FIRMWARE_VERSION: Final = "firmware_version"
CONF_CAPABILITIES: Final = "capabilities"
CONF_SUBNET: Final = "subnet"
CONF_MINERS: Final = "miners"
CONF_SITE: Final = "site"
# The reauthentication's data: which miner of the site refused its password.
REAUTH_MINER: Final = "subentry_id"

DEFAULT_SITE_NAME: Final = "Heating loop"

SCAN_INTERVAL: Final = timedelta(seconds=15)
# Presets, work levels and what the firmware supports change rarely (firmware updates).
CAPABILITIES_INTERVAL: Final = timedelta(minutes=10)
# A changed reading of them is confirmed by a second read this much later.
CAPABILITIES_RECHECK: Final = timedelta(minutes=1)
# A miner that has not answered within this time is treated as unreachable for this poll;
# pyasic itself would wait up to 100 s on a silent socket.
MINER_TIMEOUT_SECONDS: Final = 10.0
# A poll waits this long for each miner it asks. One that has not answered by then shows its last
# reading in this poll while its read runs on to its deadline: a hung miner holds back no other.
POLL_WAIT_SECONDS: Final = 3.0
# Detection runs the pyasic factory (web and RPC probes with their own 3 s timeouts).
DETECT_TIMEOUT_SECONDS: Final = 15.0
# Upper bound on miners polled at once within a site.
MAX_CONCURRENT_POLLS: Final = 32
# Entities told of a poll per event-loop iteration. A state write costs ~12 us on a 2-core x86
# (more on a Raspberry Pi); a site of 500 miners has over 10 000 entities, which written in one go
# would hold up the rest of Home Assistant for over 100 ms after every poll.
LISTENER_SLICE: Final = 150
# Re-run detection after this many consecutive failed polls of a miner.
REDETECT_AFTER_FAILURES: Final = 3
# How long the identify button blinks a miner's fault light.
IDENTIFY_DURATION: Final = timedelta(seconds=60)
# A miner that refused its password is tried with the same password again only this often (real
# firmware can lock the account after repeated failed logins).
ACCESS_DENIED_RETRY: Final = timedelta(minutes=10)
# A miner unreachable for this long raises a repair issue.
UNREACHABLE_REPAIR_AFTER: Final = timedelta(minutes=30)
# Network scans: at most this many addresses, and this long in all.
MAX_SCAN_ADDRESSES: Final = 1024
SCAN_TIMEOUT_SECONDS: Final = 120.0
# The frontend follows a flow's progress only once it shows the progress step: a scan that ends
# sooner (a few addresses on a fast network) would leave the dialog on "Scanning" for good.
MIN_SCAN_SECONDS: Final = 1.5

# Plant configuration of a site (options).
CONF_RETURN_TEMPERATURE: Final = "return_temperature_entity"
CONF_SUPPLY_TEMPERATURE: Final = "supply_temperature_entity"
CONF_FLOW: Final = "flow_entity"
CONF_FLUID: Final = "fluid"
CONF_CAPTURE_PERCENT: Final = "capture_percent"
CONF_HEAT_METER: Final = "heat_meter_entity"
CONF_TANK_TEMPERATURE: Final = "tank_temperature_entity"
# The heat sub-meters (energy sensors) of the buildings the site supplies, for the report.
CONF_BUILDING_HEAT_METERS: Final = "building_heat_meters"
CONF_HEALTH_THRESHOLD: Final = "health_threshold_percent"
DEFAULT_HEALTH_THRESHOLD_PERCENT: Final = 10.0
# The fluid sensors a site already has, each with its limit (options, "plant" section).
CONF_FLUID_LEVEL: Final = "fluid_level_entity"
CONF_FLUID_LEVEL_LOW: Final = "fluid_level_low_percent"
CONF_FLUID_MOISTURE: Final = "fluid_moisture_entity"
CONF_FLUID_MOISTURE_HIGH: Final = "fluid_moisture_high_ppm"
CONF_FLUID_QUALITY: Final = "fluid_quality_entity"
CONF_FLUID_QUALITY_LOW: Final = "fluid_quality_low_kv"
# How the health detectors and the wear ledger judge (options, "health" section).
CONF_HEALTH_HOLD_HOURS: Final = "health_hold_hours"
CONF_HEALTH_LEARN_DAYS: Final = "health_learn_days"
CONF_CYCLE_RANGE: Final = "thermal_cycle_range_k"
CONF_HOT_CHIP: Final = "hot_chip_c"
SECTION_HEALTH: Final = "health"
CONF_PRICE_ENTITY: Final = "electricity_price_entity"
CONF_FIXED_PRICE: Final = "electricity_price"
CONF_CHEAP_HOURS: Final = "cheap_hours"
DEFAULT_CHEAP_HOURS: Final = 4.0
# What the site pays on top of the price sensor's (or the fixed) price (options, "tariff" section).
CONF_GRID_FEE: Final = "grid_fee"
CONF_LEVIES: Final = "levies"
CONF_VAT_PERCENT: Final = "vat_percent"
CONF_GRID_FEE_SCHEDULE: Final = "grid_fee_schedule"
CONF_HEAT_REFERENCE: Final = "heat_reference"
CONF_GAS_PRICE: Final = "gas_price"
CONF_BOILER_EFFICIENCY_PERCENT: Final = "boiler_efficiency_percent"
CONF_HEAT_PUMP_COP: Final = "heat_pump_cop"
CONF_DISTRICT_HEAT_PRICE: Final = "district_heat_price"
CONF_GAS_CO2: Final = "gas_co2_kg_per_kwh"
CONF_GRID_CO2: Final = "grid_co2_kg_per_kwh"
CONF_DISTRICT_CO2: Final = "district_co2_kg_per_kwh"
CONF_GRID_INTENSITY: Final = "grid_intensity_entity"
CONF_REVENUE_SOURCE: Final = "revenue_source"
CONF_MEMPOOL_URL: Final = "mempool_url"
CONF_BTC_PRICE_ENTITY: Final = "btc_price_entity"
CONF_HASHPRICE: Final = "hashprice"
CONF_HASHPRICE_ENTITY: Final = "hashprice_entity"
CONF_POOL_FEE_PERCENT: Final = "pool_fee_percent"

SECTION_PLANT: Final = "plant"
SECTION_ELECTRICITY: Final = "electricity"
SECTION_TARIFF: Final = "tariff"
SECTION_HEAT_REFERENCE: Final = "heat_reference_section"
SECTION_EMISSIONS: Final = "emissions"
SECTION_REVENUE: Final = "revenue"


class RevenueSource(StrEnum):
    """Where a site's mining revenue comes from (option ``revenue_source``)."""

    NETWORK = "network"
    BTC_PRICE_ENTITY = "btc_price_entity"
    FIXED_HASHPRICE = "fixed_hashprice"
    HASHPRICE_ENTITY = "hashprice_entity"

    @property
    def needs_network(self) -> bool:
        """Whether revenue is computed from the Bitcoin network's difficulty and fees."""
        return self in (RevenueSource.NETWORK, RevenueSource.BTC_PRICE_ENTITY)

    @property
    def uses_hashprice(self) -> bool:
        """Whether revenue is a hashprice (per TH/s and day) rather than computed."""
        return self in (RevenueSource.FIXED_HASHPRICE, RevenueSource.HASHPRICE_ENTITY)


DEFAULT_CAPTURE_PERCENT: Final = 95.0
DEFAULT_BOILER_EFFICIENCY_PERCENT: Final = 90.0
DEFAULT_HEAT_PUMP_COP: Final = 3.0
DEFAULT_POOL_FEE_PERCENT: Final = 2.0
# Counters are written to disk at most this often (and on unload and shutdown).
LEDGER_SAVE_DELAY_SECONDS: Final = 60
# Network data (difficulty, fees, price) changes slowly; the public API asks for moderation.
NETWORK_INTERVAL: Final = timedelta(minutes=10)

# Control and plant safety (options, "control" section).
CONF_OVER_TEMPERATURE: Final = "over_temperature"
CONF_STALE_MINUTES: Final = "stale_minutes"
CONF_SENSOR_FALLBACK: Final = "sensor_fallback"
CONF_PUMP_ENTITY: Final = "pump_entity"
CONF_MIN_ON_MINUTES: Final = "min_on_minutes"
CONF_MIN_OFF_MINUTES: Final = "min_off_minutes"
CONF_MAX_STARTS: Final = "max_starts_per_day"
SECTION_CONTROL: Final = "control"


class SensorFallback(StrEnum):
    """What the miners do while the loop temperature is missing or stale."""

    STOP = "stop"
    MINIMUM = "minimum"  # the lead miner holds its lowest setting


# The price plan: the store it charges and what it forecasts demand from.
CONF_TANK_VOLUME: Final = "tank_volume_l"
CONF_TANK_FLUID: Final = "tank_fluid"
CONF_LOOP_VOLUME: Final = "loop_volume_l"
CONF_OUTDOOR_TEMPERATURE: Final = "outdoor_temperature_entity"
CONF_WEATHER: Final = "weather_entity"
CONF_INDOOR_TEMPERATURE: Final = "indoor_temperature_entity"
CONF_HEAT_DEMAND: Final = "heat_demand_entity"
CONF_DRY_COOLER: Final = "dry_cooler_entity"
SECTION_PLAN: Final = "plan"
DEFAULT_TANK_VOLUME_L: Final = 600.0
DEFAULT_LOOP_VOLUME_L: Final = 200.0

DEFAULT_OVER_TEMPERATURE: Final = 65.0
DEFAULT_STALE_MINUTES: Final = 5.0
DEFAULT_MIN_ON_MINUTES: Final = 10.0
DEFAULT_MIN_OFF_MINUTES: Final = 10.0
DEFAULT_MAX_STARTS: Final = 12
DEFAULT_TARGET_TEMPERATURE: Final = 45.0
MIN_TARGET_TEMPERATURE: Final = 20.0
MAX_TARGET_TEMPERATURE: Final = 75.0
# Power of a miner whose firmware cannot limit it, when it has not reported any yet.
DEFAULT_ON_OFF_POWER_W: Final = 3000.0
