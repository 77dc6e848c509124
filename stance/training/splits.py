"""The train / held-out splits the shipped stance model is trained and scored on.

    python -m stance.training.splits ../shared/data/stance runs/stance-splits-v2 [--other-target-rows 1500]

Reads the shared stance corpora by path and writes, OUTSIDE the repository's tracked files:

- ``immigration_train.jsonl``: the immigration statements not held out, from every labelled
  immigration file (``IMMIGRATION_FILES``: PolNeAR articles and both sets of stored pages);
- ``multitarget_train.jsonl``: the GWSD rows not held out + a seeded sample of
  ``--other-target-rows`` (default ``OTHER_TARGET_ROWS``) SemEval-2016 / VAST rows (all of them
  would triple training time on 2 CPU cores for little gain on news statements);
- ``immigration_test.jsonl``: the immigration statements held out BY ARTICLE (PolNeAR:
  ``article``; stored pages: ``source_url``, see `page_key`) — no article or page has statements
  on both sides, whichever file its statements are in — plus all of ``immigration_dev.jsonl``
  (PolNeAR's own dev articles, never in train);
- ``immigration_fit.jsonl`` / ``immigration_val.jsonl``: ``immigration_train.jsonl`` cut again by
  article or page (sha256 of ``"val:" + unit`` mod 10 == 0 is validation, `validation`), so the
  shipped model can list the immigration rows twice for weight without a validation row also
  being a training row, and calibration fits its temperature on articles it never trained on;
- ``gwsd_test.jsonl``: the GWSD rows of the held-out annotation groups (the ``gwsd-<a>_<b>`` id
  prefix);
- ``immigration_unlabelled.jsonl``: the other attributions of the PolNeAR articles in
  ``immigration_fit.jsonl`` (``../polnear/train.jsonl`` beside DATA_DIR, read with
  `stance.data.polnear`), unlabelled, with the inputs `stance analyze` would give them (speaker
  as written, cue, paragraph context), for `stance train --teacher … --unlabelled …`. No
  validation or held-out article contributes.
- ``immigration_candidates.jsonl``: the statements worth labelling next — unlabelled attributions
  of every PolNeAR training article (not held out, not validation) whose words mention
  immigration (``IMMIGRATION_WORDS``), in the same form, plus ``source`` and ``kind``.

Every immigration row gets a ``group`` field, its article (PolNeAR ``article`` or the page's
``source_url`` without a page number, `page_key`): `stance evaluate stance` resamples an
article's statements together for its bootstrap intervals. GWSD rows have no article, so they
are resampled one by one.

A group is held out when the sha256 of its key falls in the lowest ``HELD_OUT_PERCENT`` of the
range, so the split depends only on the keys, not on file order or a random generator. The
statements are built with the stance stage's own input builder (`stance.classify.stance_input`),
which is why this recipe lives with training rather than with the data readers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from stance.classify.inputs import stance_input
from stance.data.polnear import GoldArticle, read_polnear
from stance.records import Quote

HELD_OUT_PERCENT = 20
OTHER_TARGET_ROWS = 1500
# The labelled immigration statements split by article or page: PolNeAR (``article``), then the
# two sets of stored news pages (``source_url``).
IMMIGRATION_FILES = ("immigration_train.jsonl", "immigration_pages_train.jsonl", "immigration_pages2_train.jsonl")
# PolNeAR's own dev articles: held out whole.
IMMIGRATION_DEV_FILE = "immigration_dev.jsonl"
# The query parameter that numbers the pages of one article split over several web pages
# (``arizona-showdown?page=0,0`` and ``?page=0,1`` in the stored pages are one article).
PAGE_NUMBER_PARAMETER = "page"
SAMPLE_SEED = 13
# The target the immigration statements are labelled for.
TARGET = "immigration enforcement"
# Words that make an unlabelled attribution worth labelling for "immigration enforcement".
# Acronyms are matched case-sensitively ("ICE", not "police").
IMMIGRATION_WORDS = re.compile(
    r"(?i:immigra|deport|refugee|amnesty|sanctuary|illegal aliens?|illegals\b|undocumented|asylum"
    r"|migrant|border (?:wall|security|patrol|crossings?)|secure (?:the|our) border|\b(?:the|a|border) wall\b"
    r"|muslim ban|ban (?:on )?muslims|muslims? (?:from )?(?:entering|coming)|vetting|\bvet them\b|dreamers"
    r"|path to (?:citizenship|legal)|birthright|e-verify|h-1b|syrians?\b)|\b(?:ICE|DACA|DAPA)\b"
)


def held_out(key: str) -> bool:
    """Whether the group with this key (`group_key`) is held out for testing."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 100 < HELD_OUT_PERCENT


def validation(unit: str) -> bool:
    """Whether a training article (or page) is cut out for validation."""
    return int(hashlib.sha256(("val:" + unit).encode("utf-8")).hexdigest(), 16) % 10 == 0


def group_key(row: dict) -> str:
    """The unit a split must not cut: the source article or page, or the GWSD annotation group."""
    if row.get("article"):
        return "article:" + row["article"]
    if row.get("source_url"):
        return "url:" + page_key(row["source_url"])
    if row["dataset"] == "gwsd":
        return "gwsd:" + "_".join(row["id"].split("_")[:2])
    return "row:" + row["id"]


def page_key(url: str) -> str:
    """The article a stored page's ``url`` shows: the url without its page number, so the pages of
    one article fall on one side. Anything else stays as written, so that the statements of the
    pages stored before keep the side they had."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in query if name != PAGE_NUMBER_PARAMETER]
    return url if len(kept) == len(query) else urlunsplit(parts._replace(query=urlencode(kept)))


def read_jsonl(path: Path) -> list[dict]:
    """The rows of one file of the shared stance corpora."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def make_splits(data_dir: Path, other_target_rows: int = OTHER_TARGET_ROWS) -> dict[str, list[dict]]:
    """The labelled split files of the module docstring, by file name, from the shared stance
    corpora in ``data_dir``; ``other_target_rows`` SemEval / VAST rows are sampled for training."""
    immigration = [row for name in IMMIGRATION_FILES for row in read_jsonl(data_dir / name)]
    multitarget = read_jsonl(data_dir / "multitarget_train.jsonl")
    names = (
        "immigration_train.jsonl", "multitarget_train.jsonl", "immigration_test.jsonl", "gwsd_test.jsonl",
        "immigration_fit.jsonl", "immigration_val.jsonl",
    )
    splits: dict[str, list[dict]] = {name: [] for name in names}
    for row in immigration:
        splits["immigration_test.jsonl" if held_out(group_key(row)) else "immigration_train.jsonl"].append(row)
    splits["immigration_test.jsonl"] += read_jsonl(data_dir / IMMIGRATION_DEV_FILE)
    for row in splits["immigration_train.jsonl"]:
        splits["immigration_val.jsonl" if validation(validation_unit(row)) else "immigration_fit.jsonl"].append(row)
    gwsd = [row for row in multitarget if row["dataset"] == "gwsd"]
    others = [row for row in multitarget if row["dataset"] != "gwsd"]
    for row in gwsd:
        splits["gwsd_test.jsonl" if held_out(group_key(row)) else "multitarget_train.jsonl"].append(row)
    splits["multitarget_train.jsonl"] += random.Random(SAMPLE_SEED).sample(others, min(other_target_rows, len(others)))
    return {name: [_with_article_group(row) for row in rows] for name, rows in splits.items()}


def validation_unit(row: dict) -> str:
    """What `validation` is asked about for a training row: its article, or its page (`page_key`)."""
    if row.get("article"):
        return row["article"]
    return page_key(row["source_url"]) if row.get("source_url") else row["id"]


def _with_article_group(row: dict) -> dict:
    if row.get("article"):
        return {**row, "group": row["article"]}
    return {**row, "group": page_key(row["source_url"])} if row.get("source_url") else row


def unlabelled_attributions(polnear_path: Path, fit: list[dict]) -> list[dict]:
    """The PolNeAR attributions of ``fit``'s articles that have no stance label, as statements."""
    labelled = {row["id"] for row in fit}
    articles = {row["article"] for row in fit if row.get("article")}
    return [
        row
        for article in read_polnear(polnear_path)
        if article.id in articles
        for row in attribution_statements(article)
        if row["id"] not in labelled
    ]


def annotation_candidates(polnear_path: Path, labelled_ids: set[str]) -> list[dict]:
    """Unlabelled PolNeAR training attributions that mention immigration: what to label next.

    Only articles on the training side of both cuts (not held out, not validation) contribute, so
    labelling them can never leak into a score. A statement is a candidate when its words match
    ``IMMIGRATION_WORDS``; the annotator still marks the ones not really about immigration
    (``relevant: false``, labelled neutral), as the shared data does.
    """
    return [
        row
        for article in read_polnear(polnear_path)
        if not held_out("article:" + article.id) and not validation(article.id)
        for row in attribution_statements(article)
        if row["id"] not in labelled_ids and IMMIGRATION_WORDS.search(row["text"])
    ]


def attribution_statements(article: GoldArticle) -> list[dict]:
    """Every attribution of one PolNeAR article as a statement with the inputs `stance analyze`
    would give it (speaker as written, cue, paragraph context), plus its source and kind."""
    text = article.text
    rows = []
    for number, attribution in enumerate(article.attributions):
        if not attribution.parts:
            continue
        parts = attribution.parts
        source = attribution.sources[0] if attribution.sources else None
        quote = Quote(
            start=parts[0].start,
            end=parts[-1].end,
            text=text[parts[0].start : parts[-1].end],
            kind=attribution.kind,
            parts=parts,
            cue=attribution.cues[0] if attribution.cues else None,
            mention=source,
            speaker=attribution.speaker,
        )
        item = stance_input(text, quote, TARGET)
        rows.append(
            {
                "id": f"polnear-train-{article.id}-{number}",
                "article": article.id,
                "source": source and source.text,
                "kind": attribution.kind,
                **{key: value for key, value in vars(item).items() if value},
            }
        )
    return rows


def write_splits(
    data_dir: str | Path, out_dir: str | Path, other_target_rows: int = OTHER_TARGET_ROWS
) -> dict[Path, Counter]:
    """Write every split file of the module docstring to ``out_dir``; returns each file's rows by
    ``dataset`` (``"unlabelled"`` for the PolNeAR attributions without a label)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    splits = make_splits(Path(data_dir), other_target_rows)
    polnear = Path(data_dir).parent / "polnear" / "train.jsonl"
    labelled = {row["id"] for rows in splits.values() for row in rows}
    splits["immigration_unlabelled.jsonl"] = unlabelled_attributions(polnear, splits["immigration_fit.jsonl"])
    splits["immigration_candidates.jsonl"] = annotation_candidates(polnear, labelled)
    written = {}
    for name, rows in splits.items():
        with (out / name).open("w", encoding="utf-8") as stream:
            stream.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        written[out / name] = Counter(row.get("dataset", "unlabelled") for row in rows)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="The shared stance corpora, e.g. ../shared/data/stance.")
    parser.add_argument("out_dir", type=Path, help="Folder for the split files (outside the tracked files).")
    parser.add_argument(
        "--other-target-rows", type=int, default=OTHER_TARGET_ROWS,
        help=f"SemEval-2016 / VAST rows sampled into multitarget_train.jsonl (default {OTHER_TARGET_ROWS}).",
    )
    args = parser.parse_args(argv)
    for path, datasets in write_splits(args.data_dir, args.out_dir, args.other_target_rows).items():
        parts = ", ".join(f"{name} {count}" for name, count in sorted(datasets.items()))
        print(f"{path}: {sum(datasets.values())} rows ({parts})")


if __name__ == "__main__":
    main()
