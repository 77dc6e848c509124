"""Shared fixtures: paths to the project's fixture articles and the shared corpora."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import settings

from stance.records import (
    DEFAULT_TARGET,
    STANCE_LABELS,
    Analysis,
    Quote,
    Speaker,
    SpeakerStance,
    Span,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "cnn-ice-record-deportations-2011.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"

# Shared CI machines stall for seconds at a time; a per-example deadline would only measure that.
settings.register_profile("stance", deadline=None)
settings.load_profile("stance")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


class KeywordStanceModel:
    """A stand-in stance model for code-path tests: scores follow cue words of the statement.

    Deterministic and instant; records the size of every ``predict_proba`` call in ``calls``.
    """

    labels = ("favor", "against", "neutral")
    FAVOR_WORDS = ("support", "welcome", "progress")
    AGAINST_WORDS = ("oppose", "cruel", "devastat")

    def __init__(self):
        self.calls: list[int] = []

    def predict_proba(self, inputs, batch_size: int = 32) -> list[dict[str, float]]:
        self.calls.append(len(inputs))
        out = []
        for item in inputs:
            words = item.text.lower()
            raw = {
                "favor": 1.0 + 4 * sum(words.count(w) for w in self.FAVOR_WORDS),
                "against": 1.0 + 4 * sum(words.count(w) for w in self.AGAINST_WORDS),
                "neutral": 2.0,
            }
            total = sum(raw.values())
            out.append({label: value / total for label, value in raw.items()})
        return out


@pytest.fixture
def keyword_model() -> KeywordStanceModel:
    return KeywordStanceModel()


def scripted_extract(article, **options):
    """Stand-in for `stance.pipeline.extract`: every ``Name: statement`` line is a quote by Name.

    ``?: statement`` is a quote with no speaker. Lets pipeline and CLI tests control exactly
    which quotes and speakers an article has, whatever the real extractors find. ``options``
    of the real one (``fast``) change nothing here.
    """
    from stance.records import Analysis, Quote, Span, Speaker

    quotes, speakers, offset = [], {}, 0
    for line in article.text.splitlines(keepends=True):
        name, separator, said = line.rstrip("\n").partition(": ")
        if separator and said:
            start = offset + len(name) + len(separator)
            end = start + len(said)
            speaker = None if name == "?" else name
            if speaker:
                speakers.setdefault(speaker, Speaker(speaker, "person"))
            quotes.append(
                Quote(
                    start, end, article.text[start:end], "direct", (Span.of(article.text, start, end),),
                    mention=Span.of(article.text, offset, offset + len(name)), speaker=speaker,
                )
            )
        offset += len(line)
    return Analysis(article.id, article.text, article.target, tuple(quotes), tuple(speakers.values()))


@pytest.fixture
def scripted_quotes(monkeypatch):
    """Make the pipeline read quotes as `scripted_extract` does."""
    monkeypatch.setattr(
        "stance.pipeline.extract_articles", lambda articles, **options: [scripted_extract(a, **options) for a in articles]
    )


# A hand-built analysis of the seed article: the quotes, speakers and stances a careful reader
# would record, with made-up probabilities. For tests of stages downstream of classification
# (report, writing) that must not depend on the extractor or on a model's quality.
# (speaker, kind, stated sentence, quoted content, mention, cue, (favor, against, neutral))
_SEED_QUOTES = (
    ("John Morton", "direct",
     '"These year-end totals indicate that we are making progress," Director John Morton says',
     '"These year-end totals indicate that we are making progress,"', "Director John Morton", "says",
     (0.80, 0.05, 0.15)),
    ("ICE", "indirect",
     "Immigration and Customs Enforcement says the numbers show a focus on priority groups",
     "the numbers show a focus on priority groups", "Immigration and Customs Enforcement", "says",
     (0.60, 0.05, 0.35)),
    ("ICE", "indirect", "Nearly 55% had been convicted of felonies or misdemeanors, it says",
     "Nearly 55% had been convicted of felonies or misdemeanors", "it", "says", (0.55, 0.05, 0.40)),
    ("ICE", "mixed", "The year-end removal numbers “underscore the administration’s focus on removing "
     "individuals … that fall into priority areas” such as lawbreakers, threats to national security "
     "and repeat violators, the agency said",
     "The year-end removal numbers “underscore the administration’s focus on removing individuals … "
     "that fall into priority areas” such as lawbreakers, threats to national security and repeat "
     "violators", "the agency", "said", (0.70, 0.05, 0.25)),
    ("Gregory Palmore", "indirect", "about 74% of the 20,450 removals were of people with criminal "
     "records, said Gregory Palmore", "about 74% of the 20,450 removals were of people with criminal "
     "records", "Gregory Palmore", "said", (0.30, 0.05, 0.65)),
    ("John Morton", "direct", "“Smart and effective immigration enforcement relies on setting "
     "priorities for removal and executing on those priorities,” said agency Director John Morton",
     "“Smart and effective immigration enforcement relies on setting priorities for removal and "
     "executing on those priorities,”", "agency Director John Morton", "said", (0.85, 0.03, 0.12)),
    ("Joanne Lin", "direct", "“All told, this administration has deported nearly 1.2 million people, "
     "leaving a wake of devastation in Latino communities across the nation,” Joanne Lin, ACLU "
     "legislative counsel, said", "“All told, this administration has deported nearly 1.2 million "
     "people, leaving a wake of devastation in Latino communities across the nation,”", "Joanne Lin",
     "said", (0.03, 0.90, 0.07)),
    ("Joanne Lin", "mixed", "Lin also said the deportations represent “uncontrolled, unwarranted” "
     "spending", "the deportations represent “uncontrolled, unwarranted” spending", "Lin", "said",
     (0.05, 0.85, 0.10)),
    ("Janet Napolitano", "direct", "“What … critics will ignore is that while the overall number of "
     "individuals removed will exceed prior years, the composition of that number will have "
     "fundamentally changed,” she said", "“What … critics will ignore is that while the overall number "
     "of individuals removed will exceed prior years, the composition of that number will have "
     "fundamentally changed,”", "she", "said", (0.70, 0.10, 0.20)),
    ("Janet Napolitano", "indirect", "Napolitano said the approach is a common-sense way to tackle "
     "immigration problems with limited resources", "the approach is a common-sense way to tackle "
     "immigration problems with limited resources", "Napolitano", "said", (0.65, 0.05, 0.30)),
)
_SEED_SPEAKERS = (
    ("John Morton", "person", "Director"),
    ("ICE", "organization", None),
    ("Gregory Palmore", "person", "ICE Houston office"),
    ("Joanne Lin", "person", "ACLU legislative counsel"),
    ("Janet Napolitano", "person", "Secretary of Homeland Security"),
)


def _located(text: str, piece: str, within: int = 0) -> Span:
    start = text.index(piece, within)
    return Span.of(text, start, start + len(piece))


def build_seed_analysis(text: str) -> Analysis:
    """The hand-built `Analysis` of the seed article (see `_SEED_QUOTES`)."""
    quotes = []
    for speaker, kind, sentence, content, mention, cue, probabilities in _SEED_QUOTES:
        at = text.index(sentence)
        part = _located(text, content, at)
        scores = dict(zip(STANCE_LABELS, probabilities))
        quotes.append(
            Quote(part.start, part.end, part.text, kind, (part,),
                  cue=_located(text, cue, at + sentence.rindex(cue)),
                  mention=_located(text, mention, at + sentence.rindex(mention)),
                  speaker=speaker, stance=max(scores, key=scores.get), scores=scores)
        )
    quotes.sort(key=lambda quote: quote.start)
    speakers, stances = [], []
    for name, kind, role in _SEED_SPEAKERS:
        said = [quote for quote in quotes if quote.speaker == name]
        speakers.append(Speaker(name, kind, role, mentions=tuple(q.mention for q in said)))
        counts = Counter(quote.stance for quote in said)
        scores = {label: sum(q.scores[label] for q in said) / len(said) for label in STANCE_LABELS}
        stances.append(SpeakerStance(name, kind, role, counts.most_common(1)[0][0], scores, len(said),
                                     {label: counts[label] for label in STANCE_LABELS}))
    return Analysis(SEED.stem, text, DEFAULT_TARGET, tuple(quotes), tuple(speakers), tuple(stances))


@pytest.fixture(scope="session")
def seed_analysis(seed_text: str) -> Analysis:
    return build_seed_analysis(seed_text)


TINY_STANCE_EXAMPLE = FIXTURES / "stance-train-example.jsonl"


def _save_tiny_bert(folder: Path, id2label: dict[int, str] | None) -> Path:
    """A random 2-layer BERT with a word-level vocabulary of the stance example, saved as a folder."""
    import re

    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizer

    words = sorted(set(re.findall(r"[a-z]+", TINY_STANCE_EXAMPLE.read_text(encoding="utf-8").lower())))
    folder.mkdir(parents=True, exist_ok=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = specials + list(":;.,'\"") + words
    tokenizer = BertTokenizer(vocab={token: i for i, token in enumerate(vocab)})
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=256,
    )
    torch.manual_seed(0)
    if id2label is None:
        model = BertModel(config)
    else:
        config.id2label = id2label
        config.label2id = {label: i for i, label in id2label.items()}
        model = BertForSequenceClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory) -> Path:
    """A tiny random encoder (no task head), as a user's --base-model folder."""
    return _save_tiny_bert(tmp_path_factory.mktemp("tiny-encoder"), None)


@pytest.fixture(scope="session")
def tiny_stance_dir(tmp_path_factory) -> Path:
    """A tiny random sequence-classification model labelled favor/against/neutral."""
    return _save_tiny_bert(tmp_path_factory.mktemp("tiny-stance"), {0: "favor", 1: "against", 2: "neutral"})


@pytest.fixture(scope="session")
def tiny_nli_dir(tmp_path_factory) -> Path:
    """A tiny random NLI model (entailment/neutral/contradiction labels)."""
    return _save_tiny_bert(tmp_path_factory.mktemp("tiny-nli"), {0: "entailment", 1: "neutral", 2: "contradiction"})


def _save_tiny_mpnet(folder: Path) -> Path:
    """A random 2-layer MPNet encoder with a word-level vocabulary of the stance example, saved as a folder."""
    import re

    import torch
    from transformers import MPNetConfig, MPNetModel, MPNetTokenizer

    words = sorted(set(re.findall(r"[a-z]+", TINY_STANCE_EXAMPLE.read_text(encoding="utf-8").lower())))
    vocab = ["<s>", "<pad>", "</s>", "[UNK]", "<mask>", *":;.,'\"", *words]
    tokenizer = MPNetTokenizer(vocab={token: i for i, token in enumerate(vocab)})
    config = MPNetConfig(
        vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=260,
    )
    torch.manual_seed(0)
    MPNetModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _part_in(folder: Path, part) -> Path:
    return folder / part.file


def split_encoder(source: Path, parts_dir: Path, key: str = "tiny-mpnet", parts: int = 3):
    """The model folder ``source`` zipped (inside a folder named ``key``) and split into ``parts``
    files in ``parts_dir``, as a `PackagedEncoder` whose parts are found there, with their hashes."""
    import hashlib
    import zipfile
    from functools import partial

    from stance.models.encoders import ArchivePart, PackagedEncoder, SplitArchive, file_sha256

    zip_path = parts_dir / f"{key}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted(source.iterdir()):
            zipped.write(file, f"{key}/{file.name}")
    data = zip_path.read_bytes()
    zip_path.unlink()
    size = -(-len(data) // parts)
    records = []
    for number in range(1, parts + 1):
        chunk = data[(number - 1) * size : number * size]
        (parts_dir / f"{key}.zip.{number:03d}").write_bytes(chunk)
        records.append(
            ArchivePart(f"{key}-part-{number:03d}", "0.0.1", f"{key}.zip.{number:03d}", hashlib.sha256(chunk).hexdigest())
        )
    archive = SplitArchive(tuple(records), hashlib.sha256(data).hexdigest(), len(data), key)
    return PackagedEncoder(
        key=key, package=records[-1].package, version="0.0.1", name=f"test/{key}",
        sha256=file_sha256(source / "model.safetensors"), archive=archive, locate_part=partial(_part_in, parts_dir),
    )


@pytest.fixture(scope="session")
def tiny_split_encoder(tmp_path_factory):
    """A tiny random MPNet packaged as a zip split into three parts (see `split_encoder`)."""
    source = _save_tiny_mpnet(tmp_path_factory.mktemp("tiny-mpnet"))
    return split_encoder(source, tmp_path_factory.mktemp("tiny-mpnet-parts"))


@pytest.fixture
def packaged_tiny_encoder(tiny_split_encoder, tmp_path, monkeypatch):
    """`tiny_split_encoder` in the registry of packaged encoders, assembled into a fresh cache."""
    from stance.models.encoders import PACKAGED_ENCODERS

    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(PACKAGED_ENCODERS, tiny_split_encoder.key, tiny_split_encoder)
    return tiny_split_encoder


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; its tests skip where it is missing, and fail under CI, which has it."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI runs with ../shared beside the clone")
        pytest.skip(f"{path} is not here (the research corpora are in ../shared/data)")
    return path


# News-style sentences written for the tagger's tests, with their attributions marked by hand:
# (sentence, content, source, cue).
TRAINING_SENTENCES = [
    ("The mayor said that the plan would cut costs.", "the plan would cut costs", "The mayor", "said"),
    ("“We will not back down,” the senator told reporters.", "“We will not back down,”", "the senator", "told"),
    ("Officials warned the storm could close schools.", "the storm could close schools", "Officials", "warned"),
    ("According to the report, crime fell last year.", "crime fell last year", "the report", "According to"),
]


def annotated(sentence: str, content: str, source: str, cue: str):
    """One of `TRAINING_SENTENCES` as the PolNeAR reader returns a gold article."""
    from stance.data.polnear import GoldArticle, GoldQuote

    def span(part: str) -> tuple[Span, ...]:
        start = sentence.index(part)
        return (Span.of(sentence, start, start + len(part)),)

    attribution = GoldQuote(parts=span(content), sources=span(source), kind=None, cues=span(cue))
    return GoldArticle(id=sentence, text=sentence, attributions=(attribution,), origin="test")


@pytest.fixture
def tiny_tagger(tmp_path):
    """A quote tagger on a 2-layer BERT of width 16 with random weights, over a vocabulary of
    letters and the words of `TRAINING_SENTENCES`."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    from stance.quotes.tagger import LABELS, QuoteTagger, TaggerConfig

    torch.manual_seed(0)
    words = {word.lower() for sentence, *_ in TRAINING_SENTENCES for word in sentence.replace(",", " ").split()}
    letters = [chr(code) for code in range(ord("a"), ord("z") + 1)]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *letters, *(f"##{c}" for c in letters),
             *".,;:!?“”‘’\"'—-", *sorted(words)]
    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab=str(vocab_file))
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: index for index, label in enumerate(LABELS)},
    )
    model = BertForTokenClassification(config)
    return QuoteTagger(model, tokenizer, TaggerConfig(max_length=16, stride=4, num_layers=2, trained_layers=2, batch_size=4, precision="fp32"))


def assert_quotes_in_bounds(text: str, quotes) -> None:
    """Every span of every quote lies in ``text`` and holds its text; the tagger names no speaker."""
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
        for span in (*quote.parts, quote.cue, quote.mention):
            if span is not None:
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start : span.end] == span.text
        assert quote.speaker is None


def spans_of(text: str, *parts: str) -> tuple[Span, ...]:
    """The span of each of ``parts`` at its first place in ``text``."""
    spans = []
    for part in parts:
        start = text.index(part)
        spans.append(Span(start, start + len(part), part))
    return tuple(spans)
