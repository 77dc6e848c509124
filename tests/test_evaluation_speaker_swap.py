"""The party-shortcut check: `with_speaker`, `speaker_swap` and `stance evaluate swap`."""

from __future__ import annotations

import json

import pytest
from conftest import KeywordStanceModel
from typer.testing import CliRunner

from stance.cli import app
from stance.data.statements import LabelledStatement, read_labelled
from stance.errors import DataError, InputError
from stance.evaluation.speaker_swap import CAMP_PAIRS, pair_name, speaker_swap, with_speaker
from stance.records import StanceInput

IMMIGRATION = "immigration enforcement"
CLIMATE = "climate change is a serious concern"
CONSERVATIVE = {right for _, right in CAMP_PAIRS}


class CampModel:
    """Reads the camp, not only the statement: a conservative speaker of a statement about the
    wall is in favor (neutral otherwise), and the ACLU is against whatever it says."""

    labels = ("favor", "against", "neutral")

    def __init__(self):
        self.calls: list[int] = []

    def predict_proba(self, inputs, batch_size=32):
        self.calls.append(len(inputs))
        out = []
        for item in inputs:
            if item.speaker == "the ACLU":
                out.append({"favor": 0.1, "against": 0.8, "neutral": 0.1})
            elif item.speaker in CONSERVATIVE and "wall" in item.text:
                out.append({"favor": 0.7, "against": 0.1, "neutral": 0.2})
            else:
                out.append({"favor": 0.2, "against": 0.2, "neutral": 0.6})
        return out


def statement(
    text: str, target: str, dataset: str, group: str | None, speaker: str | None = None
) -> LabelledStatement:
    item = StanceInput(target=target, text=text, speaker=speaker, context=f"{speaker} said {text}." if speaker else None)
    return LabelledStatement(input=item, label="neutral", dataset=dataset, origin="test", group=group)


STATEMENTS = [
    statement("build the wall", IMMIGRATION, "pages", "page-1", "Mayor Smith"),
    statement("the raids go on", IMMIGRATION, "pages", "page-1", "Mayor Smith"),
    statement("the wall is cruel", IMMIGRATION, "polnear", "article-1", "the ACLU"),
    statement("it rained", IMMIGRATION, "polnear", "article-1", "Jones"),
    statement("emissions are rising", CLIMATE, "gwsd", None),
    statement("the climate is changing", CLIMATE, "gwsd", None),
]


def test_evaluation_speaker_swap_replaces_the_speaker_wherever_the_model_reads_it():
    item = StanceInput(
        target=IMMIGRATION, text="the ACLU is wrong", speaker="the ACLU",
        context="The ACLU said the ACLU is wrong, and the ACLUs were not asked.", cue="said",
    )
    swapped = with_speaker(item, "the Heritage Foundation")
    assert swapped.speaker == "the Heritage Foundation"
    # Whole words only, also capitalized as at the start of a sentence; the quote is never changed.
    heritage = "the Heritage Foundation"
    assert swapped.context == f"{heritage} said {heritage} is wrong, and the ACLUs were not asked."
    assert swapped.text == item.text and swapped.cue == "said" and swapped.target == IMMIGRATION
    unattributed = StanceInput(target=CLIMATE, text="it is warming", context="Experts: it is warming.")
    assert with_speaker(unattributed, "Sen. Ted Cruz") == StanceInput(
        target=CLIMATE, text="it is warming", speaker="Sen. Ted Cruz", context="Experts: it is warming."
    )


def test_evaluation_speaker_swap_counts_every_changed_label_exactly():
    model = CampModel()
    report = speaker_swap(model, STATEMENTS, resamples=200)
    # One batched call per side, each over every statement.
    assert model.calls == [len(STATEMENTS)] * 6
    dem, aclu, warren = (pair_name(pair) for pair in CAMP_PAIRS)
    # The two statements about the wall change with the party and senator pairs; every statement
    # changes with the ACLU pair (against for the ACLU; favor or neutral for the Heritage Foundation).
    assert report["rows"] == 6 and report["changes"] == 2 + 6 + 2
    assert report["changed"] == pytest.approx(10 / 18)
    by_pair = {name: figures["changes"] for name, figures in report["by_pair"].items()}
    assert by_pair == {dem: 2, aclu: 6, warren: 2}
    assert report["by_pair"][dem]["changed"] == pytest.approx(2 / 6)
    # favor - against: 0.6 for the conservative side of a wall statement, else 0; the ACLU -0.7.
    assert report["by_pair"][dem]["lean_shift"] == pytest.approx(2 * 0.6 / 6)
    assert report["by_pair"][aclu]["lean_shift"] == pytest.approx((2 * 0.6 + 6 * 0.7) / 6)
    assert report["lean_shift"] == pytest.approx((0.2 + 0.9 + 0.2) / 3)
    immigration, climate = report["by_target"][IMMIGRATION], report["by_target"][CLIMATE]
    assert (immigration["rows"], immigration["changes"]) == (4, 2 + 4 + 2)
    assert (climate["rows"], climate["changes"], climate["by_pair"][dem]["changes"]) == (2, 2, 0)
    assert climate["by_pair"][aclu]["interval"] == [1.0, 1.0] and climate["by_pair"][dem]["interval"] == [0.0, 0.0]
    assert {name: part["changes"] for name, part in report["by_dataset"].items()} == {"gwsd": 2, "pages": 4, "polnear": 4}
    # Resampled by group: the "pages" part is one page, so every resample is that page.
    assert report["by_dataset"]["pages"]["interval"] == [pytest.approx(4 / 6)] * 2
    low, high = report["interval"]
    assert low < report["changed"] < high and report["resamples"] == 200


def test_evaluation_speaker_swap_of_a_model_that_ignores_the_speaker_is_zero():
    model = KeywordStanceModel()
    report = speaker_swap(model, STATEMENTS, resamples=50)
    assert report["changes"] == 0 and report["changed"] == 0 and report["interval"] == [0.0, 0.0]
    assert all(figures["changes"] == 0 and figures["lean_shift"] == 0 for figures in report["by_pair"].values())
    assert model.calls == [len(STATEMENTS)] * 6
    plain = speaker_swap(model, STATEMENTS, [("Democratic leaders", "Republican leaders")], resamples=0)
    assert "interval" not in plain and "resamples" not in plain and list(plain["by_pair"]) == [pair_name(CAMP_PAIRS[0])]
    with pytest.raises(DataError, match="camp pairs"):
        speaker_swap(model, STATEMENTS, [])


@pytest.fixture
def camp_model(monkeypatch):
    model = CampModel()
    monkeypatch.setattr("stance.classify.load_model", lambda name=None, **options: model)
    return model


def test_evaluation_speaker_swap_cli(camp_model, tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"text": row.input.text, "target": row.input.target, "label": row.label, "speaker": row.input.speaker,
         "context": row.input.context, "dataset": row.dataset, "group": row.group}
        for row in STATEMENTS
    ]
    gold.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    args = ["evaluate", "swap", str(gold), "--model", "camp", "--bootstrap", "100"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = speaker_swap(CampModel(), read_labelled([gold]), resamples=100)
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    lines = [" ".join(line.replace("│", " ").split()) for line in table.stdout.splitlines()]
    assert "all all pairs 6 55.6%" in " ".join(lines) and "dataset: gwsd" in table.stdout
    one = CliRunner().invoke(app, [*args, "--pair", "the ACLU=Sen. Ted Cruz", "--format", "json"])
    assert json.loads(one.stdout)["pairs"] == [["the ACLU", "Sen. Ted Cruz"]] and json.loads(one.stdout)["changes"] == 6
    bad = CliRunner().invoke(app, [*args, "--pair", "the ACLU"])
    assert isinstance(bad.exception, InputError) and "LIBERAL=CONSERVATIVE" in str(bad.exception)
