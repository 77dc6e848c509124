"""Counterfactual statements: a labelled statement whose text is minimally edited so that its
speaker takes the other side, trained on beside the original.

    python -m stance.training.counterfactuals STATEMENTS EDITS OUTPUT

A stance model that reads words of opposition ("campaigning against", "blasted") as *against*
misreads a speaker who opposes a measure that helps immigrants. A pair of statements that differ
in a few words and have opposite labels shows it that the direction, not the tone, decides.

``STATEMENTS`` is a labelled JSONL file (`stance.data.statements` rows); ``EDITS`` is JSONL of
``{"id": ..., "text": ...}``: for a statement's id, its text edited by a person (or another
careful reader) so that the speaker, with the same cue, takes the opposite stance; ``null`` when
no edit of the text alone can (the cue or the context carries the stance). The written rows keep
every field of their statement (dataset, group, ...), with the edited text, the same edit made in
the context, the opposite label and the id suffixed ``-counterfactual``. Only favor and against
statements have an opposite; a statement whose text is not inside its context is left out, since
the context would contradict the edit.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from stance.errors import DataError

OPPOSITE = {"favor": "against", "against": "favor"}
ID_SUFFIX = "-counterfactual"
# Annotators' fields that describe the original reading, not the edited one.
DROPPED_FIELDS = ("note", "confidence")


def counterfactual_rows(rows: Iterable[dict], edits: Mapping[str, str | None]) -> tuple[list[dict], Counter]:
    """The counterfactual of each row of ``rows`` that ``edits`` gives an edited text, and how
    many rows were left out, by reason (``neutral``, ``no edit``, ``unchanged``, ``text not in
    context``)."""
    written, left_out = [], Counter()
    for row in rows:
        edited = edits.get(str(row.get("id")))
        context = row.get("context") or ""
        if row["label"] not in OPPOSITE:
            left_out["neutral"] += 1
        elif not edited:
            left_out["no edit"] += 1
        elif edited.strip() == row["text"].strip():
            left_out["unchanged"] += 1
        elif row["text"] not in context:
            left_out["text not in context"] += 1
        else:
            counterfactual = {key: value for key, value in row.items() if key not in DROPPED_FIELDS}
            counterfactual.update(
                id=f"{row['id']}{ID_SUFFIX}",
                text=edited,
                context=context.replace(row["text"], edited),
                label=OPPOSITE[row["label"]],
            )
            written.append(counterfactual)
    return written, left_out


def read_edits(path: str | Path) -> dict[str, str | None]:
    """``{id: edited text or None}`` from a JSONL file of ``{"id", "text"}`` rows; raises
    `DataError` naming the file and line of a row that is not one."""
    edits = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            edits[str(row["id"])] = row["text"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise DataError(f"{path}:{number}: expected a JSON object with `id` and `text` (null: no edit)") from None
    return edits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("statements", type=Path, help="labelled statements (JSONL) with id, text, context, label")
    parser.add_argument("edits", type=Path, help='JSONL of {"id", "text"}: each statement\'s text, edited')
    parser.add_argument("output", type=Path, help="where to write the counterfactual statements (JSONL)")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.statements.read_text(encoding="utf-8").splitlines() if line.strip()]
    written, left_out = counterfactual_rows(rows, read_edits(args.edits))
    args.output.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in written), encoding="utf-8")
    reasons = ", ".join(f"{count} {reason}" for reason, count in left_out.most_common()) or "none"
    print(f"wrote {len(written)} counterfactual statements to {args.output}; left out: {reasons}")


if __name__ == "__main__":
    main()
