"""The Avalon ``MM ID0`` status string: ``Key[value]`` items separated by spaces.

Avalon firmware packs its device status into one string inside ``stats``/``estats``.
pyasic 0.79.0 (``AvalonMiner.parse_estats``) reads from it: ``MGHS`` (board hashrate,
GH/s), ``GHSmm`` (expected hashrate), ``TMax``/``TAvg`` (chip and board temperature),
``HBITemp``/``HBOTemp`` (inlet/outlet), ``Temp`` (environment), ``MPO`` (wattage limit,
W), ``WALLPOWER`` (wattage, W), ``Fan1``..., ``Led`` and ``PVT_T<board>`` (one
temperature per chip, which pyasic counts as chips).
"""

from statistics import fmean

from sim.firmware.avalon.device import AvalonDevice
from sim.physics import Mode, Snapshot

STANDBY = 4  # SoftOFF value of a soft-off (standby) miner, as a real Avalon Q reports it
_VOUT_CENTIVOLTS = 2050
_PSU_EFFICIENCY = 0.92
_PLL_OFFSETS = (0, 18, 39, 60)


def psu_reading(watts: int) -> list[int]:
    """The ``PS[...]`` array: error, Vin, Vout, Iout, Pout, Vset, wall power (last)."""
    pout = round(watts * _PSU_EFFICIENCY)
    return [0, 1215, _VOUT_CENTIVOLTS, round(pout * 100 / _VOUT_CENTIVOLTS), pout, 2050, watts]


def _join(values: object) -> str:
    if isinstance(values, (list, tuple)):
        return " ".join(str(v) for v in values)
    return str(values)


def _state_code(snap: Snapshot) -> int:
    if snap.mode == Mode.SLEEPING:
        return 2  # idle
    if snap.mode == Mode.WAKING:
        return 0  # initialising
    return 1  # working


def _chip_temps(snap: Snapshot, board: int, chips: int) -> list[int]:
    sensors = snap.boards[board].chip_temps
    return [sensors[i * len(sensors) // chips] for i in range(chips)]


def status_items(dev: AvalonDevice, snap: Snapshot) -> list[tuple[str, object]]:
    """All ``Key[value]`` items of the status string, in firmware order."""
    model, settings = dev.model, dev.settings
    summary = model.summary_layout
    chips = [t for b in snap.boards for t in b.chip_temps]
    pcbs = [t for b in snap.boards for t in b.pcb_temps]
    fluid = round(dev.state.fluid_temp_c)
    sleeping = snap.mode == Mode.SLEEPING
    watts = snap.watts
    freq = snap.frequency_mhz
    rate = snap.hashrate_ghs
    items: list[tuple[str, object]] = [
        ("Ver", f"{model.code}-{model.firmware}"),
        ("LVer", model.firmware),
        ("BVer", model.firmware),
        ("FW", "Release"),
        ("DNA", dev.identity.serial),
        ("STATE", _state_code(snap)),
        ("MEMFREE", 67892),
        ("NETFAIL", [0] * 8),
        ("SSID", ""),
        ("RSSI", 0),
        ("NetDevType", 0),
        (
            "SYSTEMSTATU",
            f"Work: {'In Idle' if sleeping else 'In Work'}, Hash Board: {len(snap.boards)}",
        ),
        ("Elapsed", snap.uptime_seconds),
        ("BOOTBY", "0x01.00000000"),
        ("LW", snap.uptime_seconds * 449),
        ("MH", [0] * len(snap.boards)),
        ("DHW", 0),
        ("HW", 0),
        ("DH", "0.000%"),
        ("ITemp", fluid),
    ]
    if not summary:
        items += [("OTemp", max(pcbs)), ("HBTemp", round(fmean(pcbs))), ("Temp", fluid)]
    items += [
        ("HBITemp", min(pcbs)),
        ("HBOTemp", max(pcbs)),
        ("TMax", max(chips)),
        ("TAvg", round(fmean(chips))),
        ("TarT", settings.target_temp_c),
    ]
    items += [(f"Fan{i + 1}", 0) for i in range(model.fans)]  # immersion: fans off
    items += [
        ("FanR", "0%"),
        ("SoftOffTime", settings.soft_off_time),
        ("SoftOnTime", settings.soft_on_time),
        ("FanErr", 0),
        ("SoloAllowed", 1),
        ("PS", psu_reading(watts)),
    ]
    if not summary:
        items.append(("WALLPOWER", watts))
    items += [
        ("PCOMM_E", 0),
        ("GHSspd", f"{rate:.2f}"),
        ("DHspd", "0.000%"),
        ("GHSmm", f"{snap.profile.hashrate_ths * 1000:.2f}"),
        ("GHSavg", f"{rate:.2f}"),
        ("WU", f"{rate * 13.97:.2f}"),
        ("Freq", f"{freq:.2f}"),
    ]
    if not summary:
        items.append(("Led", int(settings.led)))
    items += [
        ("MGHS", [f"{b.hashrate_ghs:.2f}" for b in snap.boards]),
        ("TA", model.boards * model.chips_per_board),
        ("Core", model.core),
        ("BIN", 36),
        ("PING", 17),
        ("SoftOFF", STANDBY if sleeping else 0),
        ("ECHU", [0] * len(snap.boards)),
        ("ECMM", 0),
    ]
    for i in range(len(snap.boards)):
        items.append((f"SF{i}", [freq + off if freq else 0 for off in _PLL_OFFSETS]))
    items += [
        ("CRC", [0] * len(snap.boards)),
        ("COMCRC", [0] * len(snap.boards)),
        ("ATA0", f"{snap.profile.watts}-{settings.target_temp_c}-2109-{freq}-20"),
        ("LcdOnoff", 1),
        ("Activation", 0),
        ("WORKMODE", dev.option_value("workmode")),
        ("WORKLEVEL", dev.option_value("worklevel")),
        ("MPO", snap.profile.watts),
        ("CALIALL", 7),
        ("ADJ", 1),
    ]
    if not summary:
        for i in range(len(snap.boards)):
            items.append((f"PVT_T{i}", _chip_temps(snap, i, model.chips_per_board)))
    return items


def status_string(dev: AvalonDevice, snap: Snapshot) -> str:
    """The ``MM ID0`` value (plain) or ``MM ID0:Summary`` value (``'STATS':{...}``)."""
    text = " ".join(f"{key}[{_join(value)}]" for key, value in status_items(dev, snap))
    if dev.model.summary_layout:
        return f"'STATS':{{{text} Nonce Mask[25]}}"
    return text


def hbinfo_string(dev: AvalonDevice, snap: Snapshot) -> str:
    """The Avalon Q's ``HBinfo`` value: per-chip temperatures and voltages of each board."""
    parts = []
    for i in range(len(snap.boards)):
        temps = _chip_temps(snap, i, dev.model.chips_per_board)
        volts = [295] * dev.model.chips_per_board
        parts.append(f"PVT_T{i}[{_join(temps)}] PVT_V{i}[{_join(volts)}]")
    return "'HB0':{" + " ".join(parts) + "}"
