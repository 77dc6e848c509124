"""Speaker resolution inside one article: which entity each quote's speaker mention refers to.

`resolve_speakers` works in four steps, all rules of English news writing, one module each after
the word lists of `lexicon`:

1. Inventory (`names`): scan the whole text (headline, highlights, body) for runs of capitalised
   words and read each as a person's name (titles such as "Director" or "Sen." kept apart as
   role), an organisation's name or acronym, or a lone word ("Lin", "Morton") to be matched later.
2. Entities (`inventory`): group those occurrences. A person is one surname with compatible first
   names; a lone word joins the person whose surname (or first name) it is; an organisation is
   one name, with the acronym built from its capitalised words ("ICE" for "Immigration and
   Customs Enforcement").
3. Mentions (`resolve`), in text order: a name in the mention picks its entity ("Joanne Lin" in
   "Joanne Lin, ACLU legislative counsel", not "ACLU"); a pronoun picks the subject (first
   compatible entity) of the nearest sentence naming one, outside quotation marks, with gender
   from Mr./Ms., gendered titles, common first names, then his/her after the name; a definite
   description picks the last organisation it can describe ("the enforcement agency") or the
   last person with that role ("the director"); an unattributed quote paragraph continues the
   previous quote's speaker. Other descriptions ("immigration officials") are speakers of their
   own.
4. Speakers (`resolve`): one record per entity that has quotes, named by the fullest name the
   article gives.

Only plain Python and precompiled regexes: this runs on every article of a batch.
"""

from stance.speakers.names import Occurrence, scan_names
from stance.speakers.resolve import resolve_speakers

__all__ = ["Occurrence", "resolve_speakers", "scan_names"]
