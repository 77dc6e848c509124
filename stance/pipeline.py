"""The pipeline as one call: read -> extract quotes -> resolve speakers -> classify -> aggregate.

`extract` runs the rules and the quote tagger (loaded once per process; ``fast``: rules only).
`Pipeline` loads the stance model once (per process, or per worker when a distributed engine runs
the stages) and classifies the quotes of many documents in shared batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from stance.errors import InputError, ModelError
from stance.quotes import extract_quotes
from stance.records import DEFAULT_TARGET, Analysis, Article, Failure, StanceInput
from stance.speakers import resolve_speakers

if TYPE_CHECKING:
    from stance.tagger import QuoteTagger


def extract(article: Article, *, fast: bool = False, tagger: QuoteTagger | None = None) -> Analysis:
    """Find the quotes of one article and resolve their speakers (no stance yet).

    By default the rules' quotes are combined with the learned quote tagger's (``tagger``, or the
    shipped one, loaded once per process; see `stance.tagger.combine_quotes`); ``fast`` uses the
    rules alone, without torch.
    """
    quotes = extract_quotes(article.text)
    if not fast:
        from stance.tagger import combine_quotes, load_tagger

        tagger = tagger or load_tagger()
        quotes = combine_quotes(quotes, tagger.predict([article.text])[0])
    quotes, speakers = resolve_speakers(article.text, quotes)
    return Analysis(
        id=article.id,
        text=article.text,
        target=article.target,
        quotes=tuple(quotes),
        speakers=tuple(speakers),
    )


def analyze(
    text: str, target: str = DEFAULT_TARGET, model: str | StanceModel | None = None, id: str = ""
) -> Analysis:
    """Analyse one article: quotes, speakers, and each speaker's stance toward ``target``.

    ``model`` is a folder, a short name of a model in ``models/``, a Hugging Face hub id, or an
    already loaded model; the shipped default is used when it is None. Loading a model is slow: to
    analyse many texts, build one `Pipeline` and call `Pipeline.analyze`.
    """
    pipeline = Pipeline(model=model)
    return next(iter(pipeline.analyze([Article(id=id, text=text, target=target)])))


class StanceModel(Protocol):
    """What the pipeline needs of a stance model (see `stance.classify.load_model`)."""

    labels: Sequence[str]

    def predict_proba(
        self, inputs: Sequence[StanceInput], batch_size: int = 32
    ) -> list[dict[str, float]]: ...


class Pipeline:
    """Holds a loaded stance model and analyses documents in batches.

    ``model`` is anything `stance.classify.load_model` accepts (None = the shipped default), or an
    object that already has ``labels`` and ``predict_proba``; ``device`` and ``precision`` (see
    `stance.devices`) apply to a model loaded here. The quotes of consecutive documents
    are classified together, ``batch_size`` quotes per forward pass, so a corpus of short articles
    does not run one small batch per article.
    """

    def __init__(
        self,
        model: str | Path | StanceModel | None = None,
        *,
        device: str = "auto",
        precision: str = "auto",
        batch_size: int = 32,
        fast: bool = False,
    ):
        if batch_size < 1:
            raise InputError(None, f"expected a batch size of at least 1, found {batch_size}")
        if model is None or isinstance(model, (str, Path)):
            from stance.classify import load_model  # torch is imported only when a model is needed

            model = load_model(None if model is None else str(model), device=device, precision=precision)
        self.model = model
        self.batch_size = batch_size
        self.fast = fast  # `extract` with the rules alone, without the quote tagger

    def analyze(
        self, articles: Iterable[Article | Failure], target: str = DEFAULT_TARGET
    ) -> Iterator[Analysis | Failure]:
        """Yield one `Analysis` per article, in order; an article's own target overrides ``target``.

        `Failure`s in ``articles`` (documents the reader could not read) are passed through in
        their place, so a stream from `stance.reading.read_documents` can be given as it is.
        """
        pending: list[Analysis | Failure] = []
        pending_quotes = 0
        for article in articles:
            if isinstance(article, Failure):
                pending.append(article)
                continue
            found = extract(article, fast=self.fast)
            pending.append(replace(found, target=article.target or target))
            pending_quotes += len(found.quotes)
            # Hold documents back until they fill a batch; the model runs once for all of them.
            if pending_quotes >= self.batch_size:
                yield from self.classify(pending)
                pending, pending_quotes = [], 0
        yield from self.classify(pending)

    def classify(self, documents: Sequence[Analysis | Failure]) -> list[Analysis | Failure]:
        """Classify the quotes of ``documents`` in one call to the model, then aggregate each.

        ``documents`` are `extract` results with their target set (`Failure`s pass through); the
        batch runner extracts them itself, in worker processes, and classifies many at once.
        """
        from stance.aggregate import aggregate_speakers
        from stance.classify import stance_input, with_stances

        found = [doc for doc in documents if isinstance(doc, Analysis)]
        inputs = [stance_input(doc.text, quote, doc.target) for doc in found for quote in doc.quotes]
        scores = self.model.predict_proba(inputs, batch_size=self.batch_size) if inputs else []
        if len(scores) != len(inputs):
            raise ModelError(
                f"expected the stance model to return {len(inputs)} score dicts (one per input), "
                f"found {len(scores)}; its predict_proba must keep one output per input"
            )
        classified: list[Analysis | Failure] = []
        done = 0
        for doc in documents:
            if isinstance(doc, Failure):
                classified.append(doc)
                continue
            quotes = tuple(with_stances(doc.quotes, scores[done : done + len(doc.quotes)]))
            done += len(doc.quotes)
            stances = tuple(aggregate_speakers(quotes, doc.speakers))
            classified.append(replace(doc, quotes=quotes, stances=stances))
        return classified

