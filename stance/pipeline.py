"""The pipeline as one call: read -> extract quotes -> resolve speakers -> classify -> aggregate.

`extract` runs the rules and the quote tagger (loaded once per process; ``fast``: rules only);
`extract_articles` does it for a group of articles, the tagger reading them together.
`Pipeline` loads the stance model once (per process, or per worker when a distributed engine runs
the stages) and classifies the quotes of many documents in shared batches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from stance.errors import InputError, ModelError, StanceError
from stance.quotes import extract_quotes
from stance.quotes.acts import quote_act, settled_by, statement_sentences
from stance.quotes.assemble import overlaps
from stance.reading import page_furniture
from stance.records import DEFAULT_TARGET, Analysis, Article, Failure, Quote, StanceInput
from stance.speakers import resolve_speakers
from stance.speakers.sources import attributable

if TYPE_CHECKING:
    from stance.quotes.tagger import QuoteTagger

logger = logging.getLogger(__name__)

T = TypeVar("T")


# Articles whose quotes are extracted together (`extract_articles`): enough to fill the tagger's
# batches, few enough that the first results come soon.
ARTICLES_PER_EXTRACTION = 16


def groups_of(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in consecutive lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while group := list(islice(iterator, size)):
        yield group


def extract(
    article: Article,
    *,
    fast: bool = False,
    tagger: QuoteTagger | None = None,
    all_attributions: bool = False,
) -> Analysis:
    """Find the quotes of one article and resolve their speakers (no stance yet).

    By default the rules' quotes are combined with the learned quote tagger's (``tagger``, or the
    one shipped for the attributions kept, loaded once per process: `models/quote-tagger` for
    statements, `models/attribution-tagger` for every attribution; see `stance.quotes.combine`);
    ``fast`` uses the rules alone, without torch. Each quote gets its act (`stance.quotes.acts`);
    only statements (``act == "speech"``) whose mention can name a source
    (`stance.speakers.sources`) are kept, unless ``all_attributions`` keeps every attribution:
    beliefs, findings and plans too, from any source, PolNeAR's broader notion of attribution.
    """
    return extract_articles([article], fast=fast, tagger=tagger, all_attributions=all_attributions)[0]


def extract_articles(
    articles: Sequence[Article],
    *,
    fast: bool = False,
    tagger: QuoteTagger | None = None,
    all_attributions: bool = False,
) -> list[Analysis]:
    """`extract` for several articles at once, in order: the tagger reads them together, so its
    forward passes are full batches of windows of about one width (1.2-1.5x faster than one
    article at a time)."""
    found = [extract_quotes(article.text) for article in articles]
    if not fast:
        from stance.quotes.combine import combine_quotes
        from stance.quotes.tagger import load_tagger

        tagger = tagger or load_tagger(attributions="all" if all_attributions else "speech")
        texts = [article.text for article in articles]
        # A statement's cue is a speech-act word: the tagger reads only the sentences with one
        # that the rules' quotations in quote marks don't account for, about half the text.
        regions = None if all_attributions else [statement_sentences(text, settled_by(quotes)) for text, quotes in zip(texts, found)]
        found = [combine_quotes(quotes, learned) for quotes, learned in zip(found, tagger.predict(texts, regions))]
    return [_attributed(article, quotes, all_attributions) for article, quotes in zip(articles, found)]


def _attributed(article: Article, quotes: Sequence[Quote], all_attributions: bool) -> Analysis:
    """The article's kept ``quotes`` (see `extract`), with their acts and resolved speakers."""
    # Captions, credits and "READ MORE:" links are not the article's prose.
    furniture = page_furniture(article.text)
    quotes = [
        replace(quote, act=quote_act(quote))
        for quote in quotes
        if not any(overlaps(quote, line) or (quote.mention and overlaps(quote.mention, line)) for line in furniture)
    ]
    if not all_attributions:
        # Statements by sources only; a quote whose speaker can't be a source is a wrong cut,
        # dropped rather than relabelled. PolNeAR's broader attribution keeps both: its sources
        # include ads, videos, laws and polls as well as people and organisations.
        quotes = [q for q in quotes if q.act == "speech" and attributable(article.text, q)]
    quotes, speakers = resolve_speakers(article.text, quotes)
    return Analysis(
        id=article.id,
        text=article.text,
        target=article.target,
        quotes=tuple(quotes),
        speakers=tuple(speakers),
        attributions="all" if all_attributions else "speech",
    )


def extract_or_failure(
    article: Article, target: str = DEFAULT_TARGET, fast: bool = False, all_attributions: bool = False
) -> Analysis | Failure:
    """`extract` with the article's target (``target`` when it has none), or a `Failure` naming the
    error when the extractors raise: a bug in a rule fails this document only, and is reported as a
    failure rather than as a document without quotes. A `StanceError` (a tagger that can't be
    loaded) is not about the document and stops the run."""
    try:
        found = extract(article, fast=fast, all_attributions=all_attributions)
    except StanceError:
        raise
    except Exception as error:  # a bug in a rule must not stop a run of thousands of documents
        logger.exception("%s: quote extraction failed", article.origin)
        return Failure(
            article.origin or "",
            f"quote extraction failed: {type(error).__name__}: {error} (please report this document)",
            article.id,
        )
    return replace(found, target=article.target or target)


def extract_all_or_failure(
    documents: Sequence[Article | Failure], target: str = DEFAULT_TARGET, fast: bool = False, all_attributions: bool = False
) -> list[Analysis | Failure]:
    """`extract_or_failure` for each of ``documents``, in order, the articles extracted together
    (`extract_articles`); `Failure`s pass through. When the group fails, its articles are
    extracted one by one, so that only the one that fails becomes a `Failure`."""
    articles = [doc for doc in documents if isinstance(doc, Article)]
    try:
        found = iter(extract_articles(articles, fast=fast, all_attributions=all_attributions))
    except StanceError:
        raise
    except Exception:  # find the document at fault
        return [doc if isinstance(doc, Failure) else extract_or_failure(doc, target, fast, all_attributions) for doc in documents]
    return [doc if isinstance(doc, Failure) else replace(next(found), target=doc.target or target) for doc in documents]


def analyze(
    text: str, target: str = DEFAULT_TARGET, model: str | StanceModel | None = None, id: str = ""
) -> Analysis | Failure:
    """Analyse one article: quotes, speakers, and each speaker's stance toward ``target`` (a
    `Failure` when the extractors fail on it).

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
        all_attributions: bool = False,
    ):
        if batch_size < 1:
            raise InputError(None, f"expected a batch size of at least 1, found {batch_size}")
        if model is None or isinstance(model, (str, Path)):
            from stance.classify import (
                load_model,  # torch is imported only when a model is needed
            )

            model = load_model(None if model is None else str(model), device=device, precision=precision)
        self.model = model
        self.batch_size = batch_size
        self.fast = fast  # `extract` with the rules alone, without the quote tagger
        self.all_attributions = all_attributions  # keep beliefs, findings and plans, not only statements

    def analyze(
        self, articles: Iterable[Article | Failure], target: str = DEFAULT_TARGET
    ) -> Iterator[Analysis | Failure]:
        """Yield one `Analysis` (or `Failure`) per article, in order; an article's own target
        overrides ``target``.

        `Failure`s in ``articles`` (documents the reader could not read) are passed through in
        their place, so a stream from `stance.reading.read_documents` can be given as it is; an
        article whose extraction fails comes back as a `Failure` too (`extract_or_failure`).
        """
        pending: list[Analysis | Failure] = []
        pending_quotes = 0
        for group in groups_of(articles, ARTICLES_PER_EXTRACTION):
            for found in extract_all_or_failure(group, target, self.fast, self.all_attributions):
                pending.append(found)
                pending_quotes += len(found.quotes) if isinstance(found, Analysis) else 0
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

