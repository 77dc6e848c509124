"""Counterfactual statements (`stance.training.counterfactuals`): the edit, its context, the label."""

from __future__ import annotations

import json

import pytest

from stance.data.statements import read_labelled
from stance.errors import DataError
from stance.training.counterfactuals import counterfactual_rows, main, read_edits

CONTEXT = "The party is campaigning against plans to give free legal aid to refugees. It met on Monday."
ROWS = [
    {"id": "a", "text": "plans to give free legal aid to refugees", "context": CONTEXT, "label": "favor",
     "target": "immigration enforcement", "speaker": "The party", "cue": "is campaigning against", "group": "g1",
     "confidence": "high", "note": "opposes aid to refugees"},
    {"id": "b", "text": "the vote is on Monday", "context": "He said the vote is on Monday.", "label": "neutral",
     "target": "immigration enforcement"},
    {"id": "c", "text": "deport them all", "context": "He said: deport them all.", "label": "favor",
     "target": "immigration enforcement"},
    {"id": "d", "text": "walls work", "context": "She wrote that borders matter.", "label": "favor",
     "target": "immigration enforcement"},
]  # fmt: skip


def test_training_counterfactuals_edit_the_text_in_its_context_and_flip_the_label():
    edits = {"a": "plans to deport refugees who sought legal aid", "b": "the vote is never", "c": None, "d": "walls fail"}
    [row], left_out = counterfactual_rows(ROWS, edits)
    assert row["id"] == "a-counterfactual" and row["label"] == "against"
    assert row["text"] == edits["a"]
    assert row["context"] == CONTEXT.replace(ROWS[0]["text"], edits["a"])
    assert row["group"] == "g1" and row["speaker"] == "The party"  # the statement's other fields stay
    assert "note" not in row and "confidence" not in row  # they described the original reading
    assert left_out == {"neutral": 1, "no edit": 1, "text not in context": 1}


def test_training_counterfactuals_command_writes_trainable_rows(tmp_path, capsys):
    statements, edits, output = tmp_path / "s.jsonl", tmp_path / "e.jsonl", tmp_path / "out.jsonl"
    statements.write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    edits.write_text(json.dumps({"id": "a", "text": "plans to deport refugees"}) + "\n", encoding="utf-8")
    main([str(statements), str(edits), str(output)])
    assert "wrote 1 counterfactual statements" in capsys.readouterr().out
    [statement] = read_labelled([output])
    assert statement.label == "against" and statement.input.text == "plans to deport refugees"
    assert "deport refugees. It met" in statement.input.context


def test_training_counterfactuals_bad_edit_file_names_the_line(tmp_path):
    edits = tmp_path / "edits.jsonl"
    edits.write_text(json.dumps({"id": "a", "text": None}) + "\n" + json.dumps({"text": "x"}) + "\n")
    with pytest.raises(DataError, match=r"edits\.jsonl:2: expected a JSON object with `id` and `text`"):
        read_edits(edits)
