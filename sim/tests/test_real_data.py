"""Real price and weather series: SMARD price CSV, DWD TRY files, wheel data, hourly replay."""

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sim.dwd_try import TRY_HOURS, read_try_temperatures, try_outdoor
from sim.outdoor import HourlySeries
from sim.smard import read_day_ahead
from sim.wheel_data import read_wheel_file

ZONE = "Germany/Austria/Luxembourg[€/MWh]"
SMARD = (
    "\ufeffDate;Time of day;Germany/Luxembourg[€/MWh];Germany/Austria/Luxembourg[€/MWh]\n"
    "Jan 5, 2015;12:00 AM;-;22.34\n"
    "Jan 5, 2015;1:00 PM;-;-\n"
    "Oct 25, 2015;1:00 AM;-;27.08\n"
    "Oct 25, 2015;2:00 AM;-;25.07\n"
    "Oct 25, 2015;2:00 AM;-;25.02\n"
    "Oct 25, 2015;3:00 AM;-;-25.84\n"
)


def try_text(temperature: object = None) -> str:
    """A TRY 2010 file: notes, the column titles, ***, then one row per hour."""
    lines = ["TRY04   Nordostdeutsches Tiefland", "Art des TRY    : mittleres Jahr", ""]
    lines += ["RG IS MM DD HH N  WR  WG    t      p", "***"]
    for index in range(TRY_HOURS):
        value = index / 100 if temperature is None else temperature
        lines.append(f" 4  1  1  1 {index % 24 + 1:>2} 7 230 5.7 {value} 1005.3")
    return "\n".join(lines) + "\n"


def test_smard_hours_are_in_utc_across_the_end_of_daylight_saving() -> None:
    hours = read_day_ahead(SMARD, ZONE)
    assert [(h.start, h.eur_per_mwh) for h in hours] == [
        (datetime(2015, 1, 4, 23, tzinfo=UTC), 22.34),  # CET is UTC+1; 1 PM has no price
        (datetime(2015, 10, 24, 23, tzinfo=UTC), 27.08),  # CEST is UTC+2
        (datetime(2015, 10, 25, 0, tzinfo=UTC), 25.07),
        (datetime(2015, 10, 25, 1, tzinfo=UTC), 25.02),  # the repeated 2 AM, in CET
        (datetime(2015, 10, 25, 2, tzinfo=UTC), -25.84),
    ]


def test_smard_zone_must_be_a_column() -> None:
    with pytest.raises(ValueError, match="no column 'Austria"):
        read_day_ahead(SMARD, "Austria[€/MWh]")


def test_try_temperatures_in_file_order() -> None:
    temperatures = read_try_temperatures(try_text())
    assert len(temperatures) == TRY_HOURS
    assert temperatures[:3] == [0.0, 0.01, 0.02]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RG IS MM DD HH t\n 4 1 1 1 1 -2.6\n", "no column titles above a line of"),
        ("RG IS MM DD HH temp\n***\n 4 1 1 1 1 -2.6\n", "no 't' or 'HH' column"),
        ("RG IS MM DD HH t\n***\n 4 1 1 1 1 -2.6\n", "8760 hours, this file 1"),
        (try_text().replace(" 4  1  1  1  2 ", " 4  1  1  1  3 ", 1), "row 2 is hour 3, not 2"),
    ],
)
def test_try_file_shape_is_checked(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_try_temperatures(text)


def test_try_year_is_laid_on_a_calendar_in_central_european_time() -> None:
    outdoor = try_outdoor(read_try_temperatures(try_text()), 2015)
    first = datetime(2015, 1, 1, 0, tzinfo=UTC).timestamp()  # 01:00 CET: the first row
    assert outdoor(first) == 0.0
    assert outdoor(first + 1800) == pytest.approx(0.005)
    assert outdoor(first + 10 * 3600) == pytest.approx(0.1)


def test_hourly_series_interpolates_and_holds_its_ends() -> None:
    series = HourlySeries(1000.0, [0.0, 10.0, -2.0])
    assert series(1000.0 + 900.0) == pytest.approx(2.5)
    assert series(1000.0 + 5400.0) == pytest.approx(4.0)
    assert series(0.0) == 0.0
    assert series(1e9) == -2.0
    with pytest.raises(ValueError, match="at least one value"):
        HourlySeries(0.0, [])


def make_wheel(folder: Path, name: str, members: dict[str, str]) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


def test_a_wheels_data_file_is_read_without_installing_it(tmp_path: Path) -> None:
    make_wheel(tmp_path, "other_pkg-1.0-py3-none-any.whl", {"other_pkg/x.csv": "no"})
    make_wheel(tmp_path, "demo_pkg-2.1-py3-none-any.whl", {"demo_pkg/data/x.csv": "a;b\n1;2\n"})
    found = read_wheel_file(tmp_path, "Demo-Pkg", "demo_pkg/data/x.csv")
    assert found.text == "a;b\n1;2\n"
    assert found.wheel == "demo_pkg-2.1-py3-none-any.whl"
    with pytest.raises(FileNotFoundError, match=r"has no demo_pkg/y\.csv"):
        read_wheel_file(tmp_path, "demo-pkg", "demo_pkg/y.csv")
    with pytest.raises(FileNotFoundError, match="no wheel of absent"):
        read_wheel_file(tmp_path, "absent", "x")
    make_wheel(tmp_path, "demo_pkg-2.2-py3-none-any.whl", {})
    with pytest.raises(ValueError, match="more than one wheel of demo-pkg"):
        read_wheel_file(tmp_path, "demo-pkg", "demo_pkg/data/x.csv")
