"""GeoJSON output follows RFC 7946."""

from datetime import datetime

import msgspec
import pytest

from server.wayfinding.geojson import LegProperties, feature_collection, leg_feature, point_feature
from server.wayfinding.travel import FESTIVAL_TZ, LatLon

CHILDRENS_PALACE = LatLon(21.02640049, 105.85470051)
GUEST_HOUSE = LatLon(21.0262, 105.8558)
INDOCHINA_UNIVERSITY = LatLon(21.0218, 105.8582)
DEPART = datetime(2024, 11, 12, 9, 0, tzinfo=FESTIVAL_TZ)
ARRIVE = datetime(2024, 11, 12, 9, 3, 20, tzinfo=FESTIVAL_TZ)


def properties(source="straight", **extra) -> LegProperties:
    return LegProperties(
        distance_m=148, duration_s=200, depart_at=DEPART, arrive_at=ARRIVE, geometry_source=source, **extra
    )


def as_json(value) -> dict:
    return msgspec.json.decode(msgspec.json.encode(value))


def test_a_leg_is_a_linestring_of_lon_lat_positions_rounded_to_six_decimals():
    feature = as_json(leg_feature([CHILDRENS_PALACE, GUEST_HOUSE], properties()))
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "LineString", "coordinates": [[105.854701, 21.0264], [105.8558, 21.0262]]}


def test_a_leg_carries_its_trip_and_where_its_line_comes_from():
    feature = as_json(leg_feature([CHILDRENS_PALACE, GUEST_HOUSE], properties("trail", from_id="a", to_id="b")))
    assert feature["properties"] == {
        "distance_m": 148,
        "duration_s": 200,
        "depart_at": "2024-11-12T09:00:00+07:00",
        "arrive_at": "2024-11-12T09:03:20+07:00",
        "geometry_source": "trail",
        "from_id": "a",
        "to_id": "b",
    }


@pytest.mark.parametrize("source", ["trail", "engine", "straight"])
def test_geometry_sources_are_named(source):
    assert (
        as_json(leg_feature([CHILDRENS_PALACE, GUEST_HOUSE], properties(source)))["properties"]["geometry_source"]
        == source
    )


def test_a_leg_that_does_not_move_still_has_two_positions():
    feature = as_json(leg_feature([GUEST_HOUSE], properties()))
    assert feature["geometry"]["coordinates"] == [[105.8558, 21.0262], [105.8558, 21.0262]]
    with pytest.raises(ValueError):
        leg_feature([], properties())


def test_a_collection_has_the_bbox_of_all_its_positions_and_no_crs():
    collection = as_json(
        feature_collection(
            [
                leg_feature([CHILDRENS_PALACE, GUEST_HOUSE], properties()),
                leg_feature([GUEST_HOUSE, INDOCHINA_UNIVERSITY], properties()),
                point_feature(LatLon(21.03, 105.85), {"id": "den-ngoc-son"}),
            ],
            engine="estimate",
        )
    )
    assert collection["type"] == "FeatureCollection"
    assert collection["bbox"] == [105.85, 21.0218, 105.8582, 21.03]
    assert collection["engine"] == "estimate"
    assert "crs" not in collection
    assert [f["geometry"]["type"] for f in collection["features"]] == ["LineString", "LineString", "Point"]
    assert collection["features"][2] == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [105.85, 21.03]},
        "properties": {"id": "den-ngoc-son"},
    }


def test_an_empty_collection_has_no_bbox():
    assert as_json(feature_collection([])) == {"type": "FeatureCollection", "features": []}
