"""Extraction quality over the hand-labelled set in tests/data/extraction/.

in/NAME.txt is a real communiqué (trimmed), out/NAME.json what a careful reader takes from it
(labelling policy: tests/data/extraction/README.md). The seed must come out exactly; over the
whole set precision/recall/F1 per field are printed (pytest -s) and held to a floor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.ingest.extract import extract

DATA = Path(__file__).resolve().parent.parent / "data" / "extraction"
SEED = "soc-final-communique-2023-10-10"
SCALAR_FIELDS = (
    "title",
    "issuer",
    "issuer_body",
    "date",
    "meeting_date",
    "meeting_place",
    "language",
)
FIELDS = (*SCALAR_FIELDS, "participants", "demands", "places", "resolutions")
MIN_DATE_ACCURACY = 0.95
MIN_F1 = {"participants": 0.8, "demands": 0.8}
SENTENCE_OVERLAP = 0.5  # a found demand matches a labelled one sharing half of its words


# tests/conftest.py gives every test a Django media directory and search index; extraction is
# pure Python and must run without Django settings, so these tests opt out of both.
@pytest.fixture(autouse=True)
def media_dir() -> None:
    return None


@pytest.fixture(autouse=True)
def search_index() -> None:
    return None


def cases() -> list[str]:
    return sorted(path.name[: -len(".txt")] for path in (DATA / "in").glob("*.txt"))


def load(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    text = (DATA / "in" / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((DATA / "out" / f"{name}.json").read_text(encoding="utf-8"))
    return extract(text).as_json(), expected


# --- (a) the seed, field by field ----------------------------------------------------------


@pytest.mark.parametrize("field", FIELDS)
def test_seed_field(field: str) -> None:
    got, expected = load(SEED)
    assert got[field] == expected[field], field


def test_seed_has_exactly_the_contract_keys() -> None:
    got, expected = load(SEED)
    assert set(got) == set(expected) == set(FIELDS)


def test_labelled_set_is_large_and_varied() -> None:
    labelled = cases()
    languages = {load(name)[1]["language"] for name in labelled}
    assert len(labelled) >= 9 and {"en", "fr", "ar"} <= languages
    for name in labelled:
        assert (DATA / "out" / f"{name}.json").exists(), name


# --- (b) precision / recall / F1 over the set -------------------------------------------------


@dataclass
class Score:
    true_positive: int = 0
    found: int = 0
    expected: int = 0

    def add(self, matched: int, found: int, expected: int) -> None:
        self.true_positive += matched
        self.found += found
        self.expected += expected

    @property
    def precision(self) -> float:
        return self.true_positive / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _words(text: str) -> set[str]:
    return set(text.lower().split())


def _demand_matches(found: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Same addressee set, and the sentences share at least half of their words."""
    if set(found["addressee"]) != set(expected["addressee"]):
        return False
    a, b = _words(found["text"]), _words(expected["text"])
    return len(a & b) / max(len(a | b), 1) >= SENTENCE_OVERLAP


def _match_count(found: list[Any], expected: list[Any], same: Callable[[Any, Any], bool]) -> int:
    """Greedy one-to-one matching."""
    left = list(expected)
    matched = 0
    for item in found:
        for candidate in left:
            if same(item, candidate):
                left.remove(candidate)
                matched += 1
                break
    return matched


def _list_score(field: str, got: list[Any], expected: list[Any]) -> tuple[int, int, int]:
    if field == "participants":
        same: Callable[[Any, Any], bool] = lambda a, b: a["name"] == b["name"]  # noqa: E731
    elif field == "demands":
        same = _demand_matches
    else:
        same = lambda a, b: a == b  # noqa: E731
    return _match_count(got, expected, same), len(got), len(expected)


def evaluate() -> dict[str, Score]:
    scores = {field: Score() for field in FIELDS}
    for name in cases():
        got, expected = load(name)
        for field in SCALAR_FIELDS:
            # A scalar counts as found when not empty and as expected when labelled.
            right = int(bool(expected[field]) and got[field] == expected[field])
            scores[field].add(right, int(bool(got[field])), int(bool(expected[field])))
        for field in ("participants", "demands", "places", "resolutions"):
            scores[field].add(*_list_score(field, got[field], expected[field]))
    return scores


def _table(scores: dict[str, Score]) -> str:
    rows = [f"{'field':<14}{'P':>7}{'R':>7}{'F1':>7}{'found':>7}{'gold':>7}"]
    for field, score in scores.items():
        rows.append(
            f"{field:<14}{score.precision:>7.2f}{score.recall:>7.2f}{score.f1:>7.2f}"
            f"{score.found:>7}{score.expected:>7}"
        )
    return "\n".join(rows)


def test_quality_over_the_labelled_set() -> None:
    scores = evaluate()
    print(f"\nExtraction quality over {len(cases())} labelled communiqués\n{_table(scores)}")
    assert scores["date"].recall >= MIN_DATE_ACCURACY, "dates right where one is stated"
    for field, floor in MIN_F1.items():
        assert scores[field].f1 >= floor, field


@pytest.mark.parametrize("name", cases())
def test_language_date_and_issuer_right_in_every_case(name: str) -> None:
    got, expected = load(name)
    assert (got["language"], got["date"], got["issuer"]) == (
        expected["language"],
        expected["date"],
        expected["issuer"],
    )
