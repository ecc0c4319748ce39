"""Areas of a release: look-up, regions, codes, coverage. On the fixture release
(England, the nine regions and 15 LAs; tests/fixtures/README.md says why each)."""

import pytest
from helpers import FIXTURE_LAS, raw_rows

from analysis_helpers.core.errors import UnknownAreaError
from analysis_helpers.domain.areas import areas_for


@pytest.fixture(scope="module")
def areas(release):
    return areas_for(release)


@pytest.mark.parametrize("query", ["Kent", "kent", " KENT ", "886", 886, "E10000016", "e10000016"])
def test_kent_by_name_number_or_code(areas, query):
    area = areas.get(query)
    assert (area.name, area.code, area.la_number, area.region_name) == ("Kent", "E10000016", "886", "South East")


def test_punctuation_and_spaces_are_ignored(areas):
    assert areas.get("bristol city of").name == "Bristol, City of"
    assert areas.get("St Helens").name == "St. Helens"
    assert areas.get("kingston upon hull city of").la_number == "810"


def test_england_and_the_nine_regions(areas):
    assert areas.get("england").code == "E92000001"
    regions = areas.regions()
    assert len(regions) == 9
    assert areas.get("south east").code == "E12000008"
    assert areas.region_of(areas.get("Kent")).name == "South East"
    assert areas.region_of(areas.get("England")) is None


def test_unknown_area_suggests_three_closest(areas):
    with pytest.raises(UnknownAreaError) as info:
        areas.get("Kentt")
    message = str(info.value)
    assert "unknown area 'Kentt'" in message and "closest names: 'Kent', " in message
    assert message.count(",") >= 2


def test_an_la_published_under_two_codes_is_one_area(areas):
    # Buckinghamshire (LA 825) appears as E06000060 in 2020-2022 and E10000002 otherwise.
    bucks = areas.get("Buckinghamshire")
    assert areas.get("E06000060") is bucks and areas.get("E10000002") is bucks
    assert bucks.periods == ("2019", "2020", "2021", "2022", "2023", "2024")


def test_reorganised_las_are_reported_not_zero_filled(areas):
    northants = areas.get("Northamptonshire")
    assert northants.periods == ("2019", "2020") and "no data after 2020" in northants.coverage
    assert "no data before 2021" in areas.get("West Northamptonshire").coverage
    assert "no data after 2022" in areas.get("Cumbria").coverage
    assert "no data before 2023" in areas.get("Cumberland").coverage
    assert "no data for 2023" in areas.get("Leicester").coverage
    assert areas.get("Kent").coverage == "full"


def test_local_authorities_of_a_region(areas):
    south_east = areas.local_authorities("South East")
    # timeliness_20_week.csv: the fixture's LAs with region_name "South East".
    by_csv = {r["la_name"] for r in raw_rows("timeliness_20_week.csv")
              if r["geographic_level"] == "Local authority" and r["region_name"] == "South East"}
    assert {a.name for a in south_east} == by_csv == {"Kent", "Medway", "East Sussex", "Buckinghamshire"}
    assert all(a.region_name == "South East" for a in south_east)
    with pytest.raises(UnknownAreaError):
        areas.local_authorities("Kent")


def test_areas_table(areas):
    frame = areas.to_frame()
    assert list(frame.columns[:4]) == ["area_code", "area_name", "geographic_level", "la_number"]
    assert frame["area_code"].is_unique
    # England, 9 regions and the 15 LAs (Buckinghamshire once, under its current code).
    assert len(frame) == 1 + 9 + len(FIXTURE_LAS) == 25
    assert set(frame.loc[frame["geographic_level"] == "Local authority", "la_number"]) == set(FIXTURE_LAS)
