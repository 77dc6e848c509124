"""Scoring a stance model against gold labelled statements (``stance evaluate stance``).

Gold rows are in the ``../shared/data/stance`` format (``text``, ``target``, ``label``, optional
``speaker``, ``context``, ``dataset``), read by `stance.data.statements.read_labelled`. Scores are
accuracy, macro-F1 over the labels, per-label precision / recall / F1 and the confusion matrix
(`stance.evaluation.metrics`), overall and per target and per dataset, and per annotator
confidence when the gold has a ``confidence`` column (``SPLIT_COLUMNS``), each with bootstrap
intervals for accuracy and macro-F1 (`stance.evaluation.bootstrap`). Statements of one article
(``group``, or ``article``, in the gold rows) are resampled together: they share speakers and
topics, so resampling them one by one would make the intervals too narrow. Other models can be
scored on the same statements and compared with a paired bootstrap (``compare``), and labels from
elsewhere (another system, a second annotator) scored like a model's (`score_labels`,
`read_predictions`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from stance.data.statements import read_column, read_labelled, statement_groups
from stance.errors import DataError
from stance.evaluation.bootstrap import CONFIDENCE, RESAMPLES, percentile_interval, resampled_rows
from stance.evaluation.metrics import label_scores, macro_f1
from stance.records import STANCE_LABELS

# Gold columns the scores are split by whenever the gold has them (a file without one counts as
# "—"): the annotators' own confidence in a label (high / low) in the immigration files.
SPLIT_COLUMNS = ("confidence",)


def bootstrap_intervals(
    gold: Sequence[str],
    predicted: Sequence[str],
    units: Sequence[Sequence[int]],
    labels: Sequence[str] = STANCE_LABELS,
    *,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> dict:
    """Percentile bootstrap intervals of accuracy and macro-F1.

    ``units`` are lists of row indices resampled as a whole (one per article); each resample draws
    as many units as there are, with replacement. Seeded, so a report is reproducible.
    """
    accuracy, macro = [], []
    for rows in resampled_rows(units, resamples, seed):
        scores = label_scores([gold[i] for i in rows], [predicted[i] for i in rows], labels)
        accuracy.append(scores["accuracy"])
        macro.append(scores["macro_f1"])
    return {
        "confidence": confidence,
        "resamples": resamples,
        "units": len(units),
        "accuracy": percentile_interval(accuracy, confidence),
        "macro_f1": percentile_interval(macro, confidence),
    }


def paired_bootstrap(
    gold: Sequence[str],
    baseline: Sequence[str],
    candidate: Sequence[str],
    units: Sequence[Sequence[int]],
    labels: Sequence[str] = STANCE_LABELS,
    *,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> dict:
    """How much ``candidate``'s macro-F1 exceeds ``baseline``'s on the same statements.

    Both are scored on each resample, so what the two models get right together cancels out: the
    difference is judged far more sharply than by comparing their separate intervals. Returns the
    difference, its interval and the share of resamples in which the candidate scores higher.
    """
    differences = []
    for rows in resampled_rows(units, resamples, seed):
        truth = [gold[i] for i in rows]
        differences.append(
            macro_f1(truth, [candidate[i] for i in rows], labels) - macro_f1(truth, [baseline[i] for i in rows], labels)
        )
    return {
        "confidence": confidence,
        "resamples": resamples,
        "units": len(units),
        "macro_f1_difference": macro_f1(gold, candidate, labels) - macro_f1(gold, baseline, labels),
        "interval": percentile_interval(differences, confidence),
        "candidate_higher": sum(difference > 0 for difference in differences) / resamples,
    }


def compared_with(
    gold: Sequence[str],
    other: Sequence[str],
    predicted: Sequence[str],
    units: Sequence[Sequence[int]],
    labels: Sequence[str] = STANCE_LABELS,
    *,
    resamples: int = RESAMPLES,
) -> dict:
    """Another model's macro-F1 (``other`` are its predictions) and how much ``predicted`` beats
    it: ``macro_f1_difference`` (this minus the other), with the paired interval and the share of
    resamples where this model is higher (`paired_bootstrap`) unless ``resamples`` is 0."""
    versus = {"macro_f1": macro_f1(gold, other, labels)}
    if resamples:
        versus.update(paired_bootstrap(gold, other, predicted, units, labels, resamples=resamples))
    else:
        versus["macro_f1_difference"] = macro_f1(gold, predicted, labels) - versus["macro_f1"]
    return versus


def evaluate_stance(
    model,
    statements,
    *,
    batch_size: int = 32,
    resamples: int = RESAMPLES,
    columns: Mapping[str, Sequence[str | None]] | None = None,
    compare: Mapping[str, object] | None = None,
) -> dict:
    """Score ``model`` on `LabelledStatement`s (see `score_labels`); ``compare`` maps names to
    other models, scored on the same statements: each part then also has ``compare[name]`` (see
    `compared_with`)."""
    inputs = [row.input for row in statements]
    others = {name: other.predict(inputs, batch_size=batch_size) for name, other in (compare or {}).items()}
    return score_labels(
        statements, model.predict(inputs, batch_size=batch_size), model.labels, resamples=resamples, columns=columns,
        others=others,
    )


def score_labels(
    statements,
    predicted: Sequence[str],
    labels: Sequence[str] = STANCE_LABELS,
    *,
    resamples: int = RESAMPLES,
    columns: Mapping[str, Sequence[str | None]] | None = None,
    others: Mapping[str, Sequence[str]] | None = None,
) -> dict:
    """Score ``predicted`` (one label per `LabelledStatement`, from a model, another system or a
    second annotator) against the statements' gold: overall, ``by_target``, ``by_dataset`` and
    ``by_<name>`` for each of ``columns`` (one value per statement, e.g. the annotators'
    confidence), each with ``intervals`` (see `bootstrap_intervals`) unless ``resamples`` is 0,
    and ``compare[name]`` for each of ``others`` (other predictions of the same statements)."""
    gold = [row.label for row in statements]

    def scores(rows: list[int]) -> dict:
        part_gold, part_predicted = [gold[i] for i in rows], [predicted[i] for i in rows]
        part = label_scores(part_gold, part_predicted, labels)
        units = list(statement_groups([statements[i] for i in rows]).values())
        if resamples:
            part["intervals"] = bootstrap_intervals(part_gold, part_predicted, units, labels, resamples=resamples)
        if others:
            part["compare"] = {
                name: compared_with(
                    part_gold, [other[i] for i in rows], part_predicted, units, labels, resamples=resamples
                )
                for name, other in others.items()
            }
        return part

    report = scores(list(range(len(statements))))
    splits = {
        "target": [row.input.target for row in statements],
        "dataset": [row.dataset for row in statements],
        **(columns or {}),
    }
    for name, values in splits.items():
        report[f"by_{name}"] = {value: scores(rows) for value, rows in rows_by_value(values).items()}
    return report


def rows_by_value(values: Sequence[str | None]) -> dict[str, list[int]]:
    """The indices of ``values`` by value, sorted by value; None is shown as "—"."""
    groups = defaultdict(list)
    for i, value in enumerate(values):
        groups["—" if value is None else value].append(i)
    return dict(sorted(groups.items()))


def evaluate_stance_files(
    paths: Sequence[str | Path],
    model: str | Path | None = None,
    *,
    batch_size: int = 32,
    precision: str = "auto",
    resamples: int = RESAMPLES,
    by: Sequence[str] | None = None,
    compare: Sequence[str | Path] = (),
    predictions: str | Path | None = None,
) -> dict:
    """Load ``model`` (None = shipped default) in ``precision`` and score it on the gold files at
    ``paths``, also split by the gold columns named in ``by`` (each must be in every file; None:
    those of ``SPLIT_COLUMNS`` that some file has), and compared with each model named in
    ``compare`` (loaded the same way; keyed by the name as given). With ``predictions`` (a file of
    ``id`` and ``label`` rows, see `read_predictions`), those labels are scored instead of
    ``model``'s."""
    from stance.classify import load_model

    statements = read_labelled(paths)
    columns = split_columns(paths, by)
    others = {str(name): load_model(name, precision=precision) for name in compare}
    if predictions is None:
        return evaluate_stance(
            load_model(model, precision=precision), statements, batch_size=batch_size, resamples=resamples,
            columns=columns, compare=others,
        )
    ids = read_column(paths, "id", optional=True)
    for row, gold_id in zip(statements, ids, strict=True):
        if gold_id is None:
            raise DataError(f"{row.origin}: expected an `id`: predictions are matched to the gold rows by id")
    inputs = [row.input for row in statements]
    return score_labels(
        statements, read_predictions(predictions, ids), resamples=resamples, columns=columns,
        others={name: other.predict(inputs, batch_size=batch_size) for name, other in others.items()},
    )


def read_predictions(path: str | Path, ids: Sequence[str]) -> list[str]:
    """The label ``path`` gives each gold row, in the order of ``ids`` (the gold rows' ``id``).

    ``path`` is JSONL or CSV with ``id`` and ``label`` (or ``stance``, as `stance analyze` and
    annotators write it) per row; it may hold other rows too. Raises `DataError` naming the file
    on a gold id it lacks or a label outside the stance labels.
    """
    from datasets import Dataset

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; expected JSONL or CSV predictions with `id` and `label` columns")
    try:
        table = Dataset.from_csv(str(path)) if path.suffix.lower() == ".csv" else Dataset.from_json(str(path))
    except Exception as error:  # datasets/pyarrow raise many kinds on malformed files
        raise DataError(f"{path}: can't read it as predictions: {error}") from None
    column = next((name for name in ("label", "stance") if name in table.column_names), None)
    if "id" not in table.column_names or column is None:
        raise DataError(f"{path}: expected the columns `id` and `label` (or `stance`), found {table.column_names}")
    by_id = {str(row["id"]): row[column] for row in table}
    labels = []
    for gold_id in ids:
        if gold_id not in by_id:
            raise DataError(f"{path}: expected a prediction for the gold row with id {gold_id!r}, found none")
        label = str(by_id[gold_id]).strip().lower()
        if label not in STANCE_LABELS:
            raise DataError(f"{path}: the row with id {gold_id!r} has label {label!r}; expected one of {list(STANCE_LABELS)}")
        labels.append(label)
    return labels


def split_columns(paths: Sequence[str | Path], by: Sequence[str] | None) -> dict[str, list[str | None]]:
    """The values, one per gold row, of each column to split the scores by (see
    `evaluate_stance_files`)."""
    if by is not None:
        return {name: read_column(paths, name) for name in by}
    present = {name: read_column(paths, name, optional=True) for name in SPLIT_COLUMNS}
    return {name: values for name, values in present.items() if any(value is not None for value in values)}
