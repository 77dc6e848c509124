"""Name scanning: each run of capitalised words read as people, organisations, acronyms, words."""

from __future__ import annotations

import pytest

from stance.speakers import scan_names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Director John Morton spoke.", [("person", "John Morton", "Director")]),
        (
            "The American Civil Liberties Union sued.",
            [("organization", "American Civil Liberties Union", None)],
        ),
        (
            "Immigration and Customs Enforcement and the Department of Health and Human Services.",
            [
                ("organization", "Immigration and Customs Enforcement", None),
                ("organization", "Department of Health and Human Services", None),
            ],
        ),
        (
            "Sen. Tom Avery and Gov. Neil Carver met.",
            [("person", "Tom Avery", "Sen."), ("person", "Neil Carver", "Gov.")],
        ),
        # Places are not people: "Central Valley", "Corpus Christi, Texas".
        (
            "Growers in the Central Valley near Corpus Christi, Texas, waited.",
            [("word", "Growers", None), ("word", "Texas", None)],
        ),
        ("WASHINGTON (AP) — ICE said.", [("acronym", "AP", None), ("acronym", "ICE", None)]),
        ("FRESNO, Calif. — Growers said.", [("word", "Calif", None), ("word", "Growers", None)]),
    ],
)
def test_speakers_scan_names(text, expected):
    found = [(o.kind, " ".join(o.words), o.role) for o in scan_names(text)]
    assert found == expected
    assert all(text[o.start : o.end].endswith(o.words[-1]) for o in scan_names(text))
