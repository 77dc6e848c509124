"""Everything that writes results, in one place.

- `stance.output.tables`: the terminal table and the JSONL, JSON, CSV and Markdown writers; the one
  definition of the CSV columns and decimals.
- `stance.output.folder`: the output folder of a batch run (appended JSONL files, resume, the
  speakers.csv and corpus.csv tables).
- `stance.output.report`: the HTML report (Jinja2 templates) and the stance chart as a PNG.
- `stance.output.colours`: the stance and speaker colours all of them share.
"""
