"""The pipeline as one call: read -> extract quotes -> resolve speakers -> classify -> aggregate.

`extract` needs no model. `Pipeline` loads the stance model once (per process, or per worker
when a distributed engine runs the stages) and classifies the quotes of many documents in shared
batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from stance.quotes import extract_quotes
from stance.records import DEFAULT_TARGET, Analysis, Article
from stance.speakers import resolve_speakers


def extract(article: Article) -> Analysis:
    """Find the quotes of one article and resolve their speakers (no stance yet)."""
    quotes = extract_quotes(article.text)
    quotes, speakers = resolve_speakers(article.text, quotes)
    return Analysis(
        id=article.id,
        text=article.text,
        target=article.target,
        quotes=tuple(quotes),
        speakers=tuple(speakers),
    )


def analyze(text: str, target: str = DEFAULT_TARGET, model: str | None = None, id: str = "") -> Analysis:
    """Analyse one article: quotes, speakers, and each speaker's stance toward ``target``.

    ``model`` is a folder, a short name of a model in ``models/`` or a Hugging Face hub id; the
    shipped default is used when it is None. Loading a model is slow: to analyse many texts,
    build one `Pipeline` and call `Pipeline.analyze`.
    """
    pipeline = Pipeline(model=model)
    return next(iter(pipeline.analyze([Article(id=id, text=text, target=target)])))


class Pipeline:
    """Holds a loaded stance model and analyses documents in batches."""

    def __init__(self, model: str | None = None, *, device: str = "auto", batch_size: int = 32):
        from stance.classify import load_model  # torch is imported only when a model is needed

        self.model = load_model(model, device=device)
        self.batch_size = batch_size

    def analyze(
        self, articles: Iterable[Article], target: str = DEFAULT_TARGET
    ) -> Iterator[Analysis]:
        """Yield one `Analysis` per article, in order; an article's own target overrides ``target``."""
        from stance.aggregate import aggregate_speakers
        from stance.classify import classify_quotes

        for article in articles:
            found = extract(article)
            doc_target = article.target or target
            quotes = classify_quotes(
                self.model, found.text, found.quotes, doc_target, batch_size=self.batch_size
            )
            yield replace(
                found,
                target=doc_target,
                quotes=tuple(quotes),
                stances=tuple(aggregate_speakers(quotes, found.speakers)),
            )
