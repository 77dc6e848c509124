"""The labelling loop: from articles to statements a person labels, for `stance train`.

`write_label_queue` runs the pipeline over articles and writes one row per quote (the statement,
the model's suggestion and its probability, an empty ``label``) to a CSV or JSONL file, in a
fixed random order or least certain first (`stance.labelling.rows.order_candidates`);
`open_label_session` asks them one at a time in
the terminal and appends every answer at once. The file trains as it is (`stance train`), and a
rerun skips the statements already labelled.
"""

from stance.labelling.files import is_label_file, read_label_file
from stance.labelling.rows import LABEL_COLUMNS, LABEL_ORDERS, LabelRow, margin
from stance.labelling.session import (
    LabelQueue,
    LabelSession,
    LabelSettings,
    open_label_session,
    write_label_queue,
)

__all__ = [
    "LABEL_COLUMNS",
    "LABEL_ORDERS",
    "LabelQueue",
    "LabelRow",
    "LabelSession",
    "LabelSettings",
    "is_label_file",
    "margin",
    "open_label_session",
    "read_label_file",
    "write_label_queue",
]
