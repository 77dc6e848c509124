"""Quote extraction: who said what, as character spans into the article. The modules, in the order
the stage runs:

- `lexicon`: the cue verbs, other word lists and limits the rules read English news by.
- `sentences`: a paragraph cut into quotation-mark segments, sentences and words.
- `cues`: the words of a sentence that report speech or stance.
- `sources`: the noun phrase that names a cue's speaker.
- `contents`: where a cue's content begins and ends.
- `rules`: the rule extractor, `extract_quotes`, built on the modules above.
- `tagger`: the learned token tagger that marks content, source and cue spans (needs torch).
- `assemble`: the tagger's spans grouped into quotes.
- `combine`: the rules' quotes and the tagger's merged into one list.

Importing this package loads the rules only; the tagger's modules are imported where they are used.
"""

from stance.quotes.rules import extract_quotes

__all__ = ["extract_quotes"]
