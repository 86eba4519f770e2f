"""Canaan Avalon models: nameplate data and the work levels that set their power.

Power is chosen with ``ascset|0,<option>,set,<value>``. Which option drives the power
differs per model, following what owners of the real devices report:

* Avalon Mini 3 (sold as a space heater): ``worklevel`` is -1 (Eco) or 0 (Super);
  ``workmode`` is 0 Heating, 1 Mining or 2 Night and is only stored here.
* Avalon Q: ``workmode`` 0 Eco, 1 Standard, 2 Super. The simulator also accepts
  ``worklevel`` with the same values (pyasic's ``set_power_limit`` sends ``worklevel``);
  whether the real Q reacts to it is not known.
"""

from dataclasses import dataclass

from sim.physics import PowerProfile

CGMINER_VERSION = "4.11.1"


@dataclass(frozen=True, slots=True)
class WorkLevel:
    """One selectable power step of an Avalon miner."""

    value: int
    label: str
    watts: int
    hashrate_ths: float
    frequency_mhz: int

    def profile(self) -> PowerProfile:
        """The step as a physics profile, named by its value (``"-1"``, ``"0"``, ``"2"``)."""
        return PowerProfile(
            name=str(self.value),
            step=self.value,
            frequency_mhz=self.frequency_mhz,
            voltage=0.0,
            watts=self.watts,
            hashrate_ths=self.hashrate_ths,
        )


@dataclass(frozen=True, slots=True)
class StoredSetting:
    """An ``ascset`` option the firmware keeps and reports but that moves no power here."""

    option: str
    values: tuple[int, ...]
    default: int


@dataclass(frozen=True, slots=True)
class AvalonModel:
    """Nameplate and API facts of one Avalon model.

    ``summary_layout`` selects the Avalon Q's ``estats`` shape (``MM ID0:Summary`` wrapped
    in ``'STATS':{...}``, chip data in ``HBinfo``, and no ``WALLPOWER``, ``Temp`` or
    ``Led`` fields) instead of the plain ``MM ID0`` string with those fields.
    ``api_restart`` makes the cgminer ``restart`` command available; the firmware of this
    family does not list it (reboots go through ``ascset|0,reboot,<delay>``).
    """

    name: str
    prod: str
    code: str
    hwtype: str
    firmware: str
    boards: int
    chips_per_board: int
    fans: int
    levels: tuple[WorkLevel, ...]
    default_level: int
    power_options: tuple[str, ...]
    stored: tuple[StoredSetting, ...] = ()
    summary_layout: bool = False
    api_restart: bool = False
    swtype: str = "MM319"
    core: str = "A3197S"
    target_temp_c: int = 75

    def profiles(self) -> tuple[PowerProfile, ...]:
        """The work levels as physics profiles, lowest power first."""
        return tuple(level.profile() for level in sorted(self.levels, key=lambda lv: lv.watts))

    def level(self, value: int) -> WorkLevel:
        """Return the work level with ``value``; raise KeyError when there is none."""
        for level in self.levels:
            if level.value == value:
                return level
        raise KeyError(value)

    @property
    def level_values(self) -> tuple[int, ...]:
        """Valid values of the power-driving option, in ascending order."""
        return tuple(sorted(level.value for level in self.levels))


MINI3 = AvalonModel(
    name="Avalon Mini3",
    prod="Avalon Mini3",
    code="Mini3",
    hwtype="M_MM1v1_X1",
    firmware="25022401_cb28ba7",
    boards=1,
    chips_per_board=66,
    fans=1,
    levels=(
        WorkLevel(-1, "Eco", 500, 30.0, 390),
        WorkLevel(0, "Super", 800, 37.5, 492),
    ),
    default_level=0,
    power_options=("worklevel",),
    stored=(StoredSetting("workmode", (0, 1, 2), 1),),
)
AVALON_Q = AvalonModel(
    name="Avalon Q",
    prod="Avalon Q",
    code="Q",
    hwtype="Q_MM1v1_X1",
    firmware="25052801_14a19a2",
    boards=1,
    chips_per_board=160,
    fans=4,
    levels=(
        WorkLevel(0, "Eco", 800, 62.0, 220),
        WorkLevel(1, "Standard", 1300, 79.0, 250),
        WorkLevel(2, "Super", 1674, 90.0, 283),
    ),
    default_level=2,
    power_options=("workmode", "worklevel"),
    summary_layout=True,
    target_temp_c=65,
)
AVALON_MODELS: dict[str, AvalonModel] = {m.name: m for m in (MINI3, AVALON_Q)}
