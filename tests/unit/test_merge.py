"""The three-way merge: base, theirs, mine, field by field."""

from __future__ import annotations

import pytest

from directory.domain.merge import Clash, three_way

BASE = {"phone": "1", "email": "a@x.org", "address": "ул. Ленина, 1", "directions": "it, robotics"}


@pytest.mark.parametrize(
    ("mine", "theirs", "written", "kept_theirs"),
    [
        pytest.param({**BASE, "phone": "2"}, BASE, {"phone"}, set(), id="changed-only-by-me"),
        pytest.param(BASE, {**BASE, "phone": "3"}, set(), {"phone"}, id="changed-only-by-them"),
        pytest.param(
            {**BASE, "phone": "4"}, {**BASE, "phone": "4"}, set(), {"phone"}, id="both-the-same"
        ),
        pytest.param(
            {**BASE, "phone": "2"},
            {**BASE, "email": "b@x.org"},
            {"phone"},
            {"email"},
            id="each-their-own-field",
        ),
    ],
)
def test_no_clash(mine: dict, theirs: dict, written: set[str], kept_theirs: set[str]) -> None:
    merged = three_way(BASE, mine, theirs)
    assert merged.clashes == []
    assert merged.mine == written
    assert merged.theirs == kept_theirs


def test_both_changed_the_same_field_differently() -> None:
    merged = three_way(BASE, {**BASE, "address": "Моя"}, {**BASE, "address": "Их"})
    assert merged.clashes == [Clash(("address",), ("Моя",), ("Их",))]
    assert merged.mine == set()


def test_a_position_is_merged_whole() -> None:
    base = {"latitude": "55.7", "longitude": "37.6"}
    # Mine moved the latitude, theirs the longitude: half of each is no position at all.
    merged = three_way(
        base, {"latitude": "55.8", "longitude": "37.6"}, {"latitude": "55.7", "longitude": "37.9"}
    )
    assert merged.clashes == [Clash(("latitude", "longitude"), ("55.8", "37.6"), ("55.7", "37.9"))]


def test_directions_merge_as_a_set() -> None:
    mine = {**BASE, "directions": "it"}  # I removed robotics
    theirs = {**BASE, "directions": "aero, it, robotics"}  # they added aero
    merged = three_way(BASE, mine, theirs)
    assert merged.clashes == []
    assert merged.sets == {"directions": ["aero", "it"]}


def test_an_unknown_base_makes_every_difference_a_clash() -> None:
    merged = three_way(None, {**BASE, "phone": "2"}, BASE)
    assert [clash.fields for clash in merged.clashes] == [("phone",)]
    assert three_way(None, BASE, BASE).clashes == []
