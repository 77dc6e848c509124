"""Render analyses as a table, JSONL, JSON, CSV or Markdown.

The renderers are pure: they take `Analysis` / `SpeakerStance` records and return a string or a
Rich renderable. `AnalysisWriter` streams documents to one text stream in one format, and adds
the corpus part (the same speaker merged across documents, per target) when it is closed.

Formats:

- ``table``: per document, the speaker-by-stance table (speaker, role, quotes, favor / against /
  neutral shares, stance, confidence as `stance.aggregate` defines it), its caption counting the
  quotes and speakers and saying which attributions were kept; with several documents, a corpus
  table per target.
- ``jsonl``: one `Analysis.to_dict` object per line.
- ``json``: one object ``{"documents": [...], "corpus": [{"target", "documents", "speakers"}]}``.
- ``csv``: one row per speaker per document (`CSV_COLUMNS`).
- ``markdown``: the tables of ``table`` as Markdown.

The CSV columns and decimals here are the only ones: the batch output folder
(`stance.output.folder`) writes its tables with the same functions.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from stance.aggregate import merge_corpus
from stance.output.colours import STANCE_COLOURS
from stance.records import STANCE_LABELS, Analysis, SpeakerStance


class OutputFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    markdown = "markdown"


# One row per speaker per document (``--format csv``, the batch folder's speakers.csv).
CSV_COLUMNS = (
    "document", "target", "speaker", "kind", "role", "quotes",
    "favor", "against", "neutral", "stance", "confidence",
)  # fmt: skip
# One row per speaker merged across the documents of one target (the batch folder's corpus.csv).
CORPUS_COLUMNS = (
    "target", "speaker", "kind", "role", "articles", "quotes",
    "favor", "against", "neutral", "stance", "confidence",
    "favor_quotes", "against_quotes", "neutral_quotes",
)  # fmt: skip
# Decimals kept for scores in CSV (JSON keeps the model's floats as they are).
CSV_DECIMALS = 4
# Columns of the speaker tables that hold words (left-aligned); the others hold numbers.
TEXT_COLUMNS = ("speaker", "role", "stance")
# The report's stance colours; neutral, the common case, is not bold.
STANCE_STYLES = {
    "favor": f"bold {STANCE_COLOURS['favor']}",
    "against": f"bold {STANCE_COLOURS['against']}",
    "neutral": STANCE_COLOURS["neutral"],
}


def speaker_table(analysis: Analysis) -> Table:
    """The speaker-by-stance table of one document."""
    return _stance_table(
        _document_title(analysis), analysis.stances, caption=_document_caption(analysis)
    )


def corpus_table(stances: Sequence[SpeakerStance], target: str | None, documents: int) -> Table:
    """The speaker-by-stance table of speakers merged across ``documents`` documents."""
    return _stance_table(_corpus_title(target, documents), stances, articles=True)


def json_line(obj: dict) -> str:
    """``obj`` as one line of JSONL (with its newline); text is kept as it is, not \\u-escaped."""
    return json.dumps(obj, ensure_ascii=False) + "\n"


def jsonl_line(analysis: Analysis) -> str:
    """One line of ``--format jsonl`` (with its newline)."""
    return json_line(analysis.to_dict())


def corpus_dict(stances: Sequence[SpeakerStance], target: str | None, documents: int) -> dict:
    return {"target": target, "documents": documents, "speakers": [s.to_dict() for s in stances]}


def csv_text(rows: Iterable[Sequence]) -> str:
    """``rows`` as CSV lines ending in ``\\n`` on every platform."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def csv_rows(analysis: Analysis) -> list[list[str | int | float]]:
    """The rows of one document under `CSV_COLUMNS`."""
    return speaker_csv_rows(analysis.id, analysis.target, analysis.stances)


def speaker_csv_rows(
    document: str, target: str | None, stances: Iterable[SpeakerStance]
) -> list[list[str | int | float]]:
    """The rows under `CSV_COLUMNS` of the speakers of one document."""
    return [
        [document, target or "", stance.name, stance.kind, stance.role or "", stance.quotes,
         *_csv_scores(stance)]
        for stance in stances
    ]  # fmt: skip


def corpus_csv_rows(target: str | None, stances: Iterable[SpeakerStance]) -> list[list[str | int | float]]:
    """The rows under `CORPUS_COLUMNS` of speakers merged across the documents of ``target``."""
    return [
        [target or "", stance.name, stance.kind, stance.role or "", stance.articles, stance.quotes,
         *_csv_scores(stance), *(stance.counts.get(label, 0) for label in STANCE_LABELS)]
        for stance in stances
    ]  # fmt: skip


def markdown_document(analysis: Analysis) -> str:
    """The speaker-by-stance table of one document, in Markdown."""
    return _markdown_table(
        _document_title(analysis), analysis.stances, caption=_document_caption(analysis)
    )


def markdown_corpus(stances: Sequence[SpeakerStance], target: str | None, documents: int) -> str:
    return _markdown_table(_corpus_title(target, documents), stances, articles=True)


class AnalysisWriter:
    """Writes analyses to ``stream`` in one format, as they come.

    Use as a context manager (or call `close`): closing writes what needs every document first —
    the corpus tables of ``table``/``markdown`` (when there was more than one document) and the
    single object of ``json``. Only each document's speaker stances are kept until then, never
    its text or quotes — except for ``json``, whose one object holds every document.
    """

    def __init__(
        self,
        stream: IO[str],
        format: OutputFormat | str = OutputFormat.table,
        console: Console | None = None,
    ):
        self.stream = stream
        self.format = OutputFormat(format)
        self.console = console or Console(file=stream)
        self._stances_by_target: dict[str | None, list[Sequence[SpeakerStance]]] = {}
        self._documents: list[dict] = []
        self._csv_header_written = False

    def write(self, analysis: Analysis) -> None:
        self._stances_by_target.setdefault(analysis.target, []).append(analysis.stances)
        if self.format is OutputFormat.table:
            self.console.print(speaker_table(analysis))
        elif self.format is OutputFormat.markdown:
            self.stream.write(markdown_document(analysis) + "\n")
        elif self.format is OutputFormat.jsonl:
            self.stream.write(jsonl_line(analysis))
        elif self.format is OutputFormat.csv:
            self._write_csv_header()
            self.stream.write(csv_text(csv_rows(analysis)))
        else:
            self._documents.append(analysis.to_dict())

    def close(self) -> None:
        corpora = [
            (target, len(per_document), merge_corpus(per_document))
            for target, per_document in self._stances_by_target.items()
        ]
        several = sum(documents for _, documents, _ in corpora) > 1
        if self.format is OutputFormat.table and several:
            for target, documents, stances in corpora:
                self.console.print(corpus_table(stances, target, documents))
        elif self.format is OutputFormat.markdown and several:
            for target, documents, stances in corpora:
                self.stream.write(markdown_corpus(stances, target, documents) + "\n")
        elif self.format is OutputFormat.csv:
            self._write_csv_header()  # an empty run still gives a valid CSV file
        elif self.format is OutputFormat.json:
            document = {
                "documents": self._documents,
                "corpus": [
                    corpus_dict(stances, target, documents) for target, documents, stances in corpora
                ],
            }
            self.stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        self.stream.flush()

    def __enter__(self) -> AnalysisWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _write_csv_header(self) -> None:
        if not self._csv_header_written:
            self.stream.write(csv_text([CSV_COLUMNS]))
            self._csv_header_written = True


def attributions_kept(analysis: Analysis) -> str:
    """Which quotes ``analysis`` kept, in words: ``statements only`` or ``all attributions``
    (``--attributions``; a count means little without it)."""
    return "statements only" if analysis.attributions == "speech" else "all attributions"


def plural(count: int, noun: str) -> str:
    """``1 quote``, ``2 quotes``, ``1,200 quotes``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _csv_scores(stance: SpeakerStance) -> list[float | str]:
    """The ``favor``, ``against``, ``neutral``, ``stance`` and ``confidence`` cells of a row."""
    return [
        *(round(stance.scores.get(label, 0.0), CSV_DECIMALS) for label in STANCE_LABELS),
        stance.stance,
        "" if stance.confidence is None else round(stance.confidence, CSV_DECIMALS),
    ]


def _document_title(analysis: Analysis) -> str:
    return f"{analysis.id or 'document'}: stance toward “{analysis.target}”"


def _corpus_title(target: str | None, documents: int) -> str:
    scope = "1 document" if documents == 1 else f"All {documents:,} documents"
    return f"{scope}: stance toward “{target}”"


def _document_caption(analysis: Analysis) -> str:
    unattributed = sum(1 for quote in analysis.quotes if quote.speaker is None)
    quotes = plural(len(analysis.quotes), "quote")
    if unattributed:
        quotes += f" ({unattributed:,} with no speaker, not counted)"
    return f"{quotes}, {plural(len(analysis.stances), 'speaker')} · {attributions_kept(analysis)}"


def _header(articles: bool) -> list[str]:
    counts = ["articles", "quotes"] if articles else ["quotes"]
    return ["speaker", "role", *counts, *STANCE_LABELS, "stance", "confidence"]


def _cells(stance: SpeakerStance, articles: bool) -> list[str]:
    return [
        stance.name,
        stance.role or "",
        *([str(stance.articles)] if articles else []),
        str(stance.quotes),
        *(_share(stance.scores.get(label, 0.0)) for label in STANCE_LABELS),
        stance.stance,
        "" if stance.confidence is None else _share(stance.confidence),
    ]


def _share(value: float) -> str:
    return f"{value:.0%}"


def _stance_table(
    title: str,
    stances: Sequence[SpeakerStance],
    *,
    caption: str | None = None,
    articles: bool = False,
) -> Table:
    table = Table(title=title, caption=caption)
    for name in _header(articles):
        if name in ("speaker", "role"):
            # Long names and roles wrap, and fold inside a long word, rather than lose letters.
            table.add_column(name, overflow="fold", style="bold" if name == "speaker" else None)
        else:
            table.add_column(
                name,
                justify="left" if name in TEXT_COLUMNS else "right",
                no_wrap=True,
                min_width=len(name),
            )
    for stance in stances:
        cells: list[str | Text] = list(_cells(stance, articles))
        cells[-2] = Text(stance.stance, style=STANCE_STYLES[stance.stance])  # the stance column
        table.add_row(*cells)
    return table


def _markdown_table(
    title: str,
    stances: Sequence[SpeakerStance],
    *,
    caption: str | None = None,
    articles: bool = False,
) -> str:
    header = _header(articles)
    lines = [f"### {title}", ""]
    if caption:
        lines += [caption, ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" if name in TEXT_COLUMNS else "---:" for name in header) + "|")
    for stance in stances:
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in _cells(stance, articles)) + " |")
    return "\n".join(lines) + "\n"


def _markdown_cell(text: str) -> str:
    # A pipe would end the cell and a newline the row.
    return " ".join(text.split()).replace("|", "\\|")
