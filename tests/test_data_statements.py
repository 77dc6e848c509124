"""Labelled and unlabelled stance statements: reading, validation of rows, grouped splits."""

from __future__ import annotations

import json

import pytest
from conftest import TINY_STANCE_EXAMPLE

from stance.data.statements import (
    read_column,
    read_labelled,
    read_statements,
    read_unlabelled,
    split_validation,
    statement_groups,
)
from stance.errors import DataError
from stance.records import STANCE_LABELS


def test_data_statements_read_labelled_jsonl():
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    assert len(rows) == 30
    assert {row.label for row in rows} == set(STANCE_LABELS)
    assert len({row.input.target for row in rows}) >= 4
    assert rows[0].origin == f"{TINY_STANCE_EXAMPLE}:1" and rows[0].input.speaker
    assert any(row.input.context for row in rows)


def test_data_statements_read_labelled_csv(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text('text,target,label\n"Ban them, now.",gun control,Favor\nNo.,gun control,against\n')
    rows = read_labelled([path])
    assert [row.label for row in rows] == ["favor", "against"]
    assert rows[0].input.text == "Ban them, now." and rows[0].input.speaker is None
    assert rows[1].origin == f"{path}:3"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"text": "a", "target": "t", "label": "favor"}', '{"text": "b", "target": "t", "label": "pro"}'], r"rows.jsonl:2: expected a label in"),
        (['{"text": "a", "target": "t", "label": "favor"}', '{"text": "", "target": "t", "label": "favor"}'], r"rows.jsonl:2: expected a non-empty `text`"),
        (['{"text": "a", "label": "favor"}'], r"expected the columns .* add \['target'\]"),
        (["not json"], r"rows.jsonl: can't read it as JSONL"),
    ],
)
def test_data_statements_read_labelled_names_file_and_row(tmp_path, lines, message):
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=message):
        read_labelled([path])


def test_data_statements_split_validation_is_seeded_and_disjoint():
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    train_rows, held = split_validation(rows, 0.2, seed=1)
    assert len(held) == 6 and len(train_rows) == 24
    assert not {row.origin for row in held} & {row.origin for row in train_rows}
    assert split_validation(rows, 0.2, seed=1)[1] == held
    assert split_validation(rows, 0.0, seed=1) == (rows, [])


def test_data_statements_split_validation_keeps_articles_together(tmp_path):
    path = tmp_path / "rows.jsonl"
    rows = [
        {"text": f"Statement {i}.", "target": "t", "label": "neutral", **({"article": f"a{i // 4}"} if i < 20 else {})}
        for i in range(30)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    statements = read_labelled([path])
    assert statements[0].group == "a0" and statements[25].group is None
    for seed in range(5):
        train_rows, held = split_validation(statements, 0.3, seed=seed)
        assert len(held) >= 9 and len(train_rows) + len(held) == 30
        assert not {row.group for row in held if row.group} & {row.group for row in train_rows if row.group}


def test_data_statements_read_unlabelled_needs_no_label(tmp_path):
    path = tmp_path / "unlabelled.jsonl"
    path.write_text(
        '{"text": "The wall must be built.", "target": "immigration enforcement", "speaker": "A senator"}\n'
        '{"text": "Deportations tear families apart.", "target": "immigration enforcement", "cue": " "}\n',
        encoding="utf-8",
    )
    extra = read_unlabelled([path])
    assert [item.speaker for item in extra] == ["A senator", None] and extra[1].cue is None
    assert extra[0].text == "The wall must be built." and extra[0].target == "immigration enforcement"


def test_data_statements_read_column_follows_the_rows_and_names_a_missing_column(tmp_path):
    path = tmp_path / "rows.jsonl"
    rows = [{"text": "a", "target": "t", "label": "favor", "confidence": "high"},
            {"text": "b", "target": "t", "label": "neutral", "confidence": ""}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert read_column([path], "confidence") == ["high", None]
    with pytest.raises(DataError, match="`publisher`"):
        read_column([path], "publisher")


def test_data_statements_groups_keep_first_appearance_order_and_ungrouped_rows_alone(tmp_path):
    path = tmp_path / "rows.jsonl"
    rows = [{"text": f"s{i}", "target": "t", "label": "neutral", **({"group": g} if g else {})}
            for i, g in enumerate(["b", None, "a", "b", None])]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert list(statement_groups(read_labelled([path])).values()) == [[0, 3], [1], [2], [4]]


@pytest.mark.parametrize(("suffix", "message"), [(".txt", "expected a .jsonl or .csv file"), (".jsonl", "no such file")])
def test_data_statements_refuses_other_files(tmp_path, suffix, message):
    path = tmp_path / f"rows{suffix}"
    if suffix == ".txt":
        path.write_text("text\n")
    with pytest.raises(DataError, match=message):
        read_labelled([path])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rows.csv", "text,target,label\nYes.,t,favor\nMaybe.,t,\nNo.,t,Against\nHm.,t,  \n"),
        ("rows.jsonl", '{"text": "Yes.", "target": "t", "label": "favor"}\n{"text": "Maybe.", "target": "t", "label": ""}\n'
         '{"text": "No.", "target": "t", "label": "against"}\n{"text": "Hm.", "target": "t", "label": null}\n'),
    ],
)
def test_data_statements_read_statements_leaves_out_and_counts_empty_labels(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    read = read_statements([path])
    assert [row.label for row in read.labelled] == ["favor", "against"] and read.unlabelled == 2
    with pytest.raises(DataError, match="expected a non-empty `label`"):
        read_labelled([path])  # gold for evaluation stays strict


def test_data_statements_read_statements_needs_one_label(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("text,target,label\nMaybe.,t,\n")
    with pytest.raises(DataError, match="found 1 rows with an empty label and none labelled; fill the `label` column"):
        read_statements([path])
    path.write_text("text,target\nMaybe.,t\n")
    with pytest.raises(DataError, match=r"add \['label'\]"):
        read_statements([path])
