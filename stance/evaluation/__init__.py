"""Scoring against gold annotations: quotes (PolNeAR format), speaker resolution and stance, with
the shared metrics and article bootstrap."""
