"""The colours of every output, defined once: the terminal tables and the HTML report share them.

Chosen to stay apart for colour-blind readers, with dark text readable on the speaker colours.
Stances use Okabe & Ito's palette (https://jfly.uni-koeln.de/color/): favor blue, against
vermillion, neutral grey, always shown next to the label's name. Speakers use Paul Tol's "light"
qualitative scheme (https://personal.sron.nl/~pault/): its eight colours go to the eight most
quoted speakers of an article, any others share grey stripes, and its pale grey marks quotes with
no speaker.
"""

from __future__ import annotations

# Okabe-Ito blue, vermillion and grey.
STANCE_COLOURS = {"favor": "#0072B2", "against": "#D55E00", "neutral": "#999999"}
# Paul Tol's "light" scheme without its pale grey, which marks quotes with no speaker.
SPEAKER_COLOURS = ("#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00")
NO_SPEAKER_COLOUR = "#DDDDDD"
# Speakers beyond the palette in one article: stripes of that grey, unlike any single colour.
OTHER_SPEAKERS_COLOUR = "repeating-linear-gradient(135deg,#DDDDDD 0 3px,#FFFFFF 3px 6px)"
