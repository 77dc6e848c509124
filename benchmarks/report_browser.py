"""Open `stance report` pages in headless Chromium: how fast a large corpus opens, and screenshots.

    python benchmarks/report_browser.py --articles 1000
    python benchmarks/report_browser.py --page report.html --screenshot docs/report.png --focus 6 --full-page

With ``--articles N`` it generates N synthetic articles (made-up sentences, ~4 kB each, 8 quotes
by 12 made-up speakers; aggregated by `stance.aggregate`), renders their report and times, in
Chromium, the page load (navigation timing: response end, DOM interactive, load event), opening
one article and applying the speaker filter; the median of ``--repeat`` loads. With ``--page`` it
opens an existing report; ``--focus K`` focuses the K-th quote so the screenshot shows its tooltip.
Prints one JSON object. Figures depend on the machine and its load: say which one.
Needs /usr/bin/chromium (Debian package) and the playwright package; never downloads a browser.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from stance.aggregate import aggregate_speakers, merge_corpus
from stance.records import STANCE_LABELS, Analysis, Quote, Span
from stance.output.report import render_report

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
NAMES = [f"{first} {last}" for first, last in zip(
    ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lou"],
    ["Park", "Quinn", "Reyes", "Stone", "Tran", "Underwood", "Vance", "Webb", "Xu", "Young", "Zane", "Abbot"],
)]
FILLER = ("The council met on Tuesday to discuss the plan, which has been debated for months. "
          "Residents filled the hall and several groups handed out leaflets before the vote. ")
CLAIMS = ["the new rules will make the city safer", "the agency has gone too far this year",
          "nobody has seen the final numbers yet", "the program should be expanded next spring"]


def synthetic_analysis(number: int, rng: random.Random) -> Analysis:
    """A made-up article of paragraphs with quotes, classified at random."""
    paragraphs, quotes, offset = [], [], 0
    for _ in range(8):
        name = rng.choice(NAMES)
        claim = rng.choice(CLAIMS)
        lead = FILLER * rng.randint(1, 3)
        paragraph = f"{lead}“{claim.capitalize()},” {name} said.\n\n"
        start = offset + len(lead)
        end = start + len(claim) + 4
        mention_start = end + 1
        probabilities = [rng.random() for _ in STANCE_LABELS]
        scores = {label: p / sum(probabilities) for label, p in zip(STANCE_LABELS, probabilities)}
        quotes.append((start, end, (mention_start, mention_start + len(name)), name, scores))
        paragraphs.append(paragraph)
        offset += len(paragraph)
    text = "".join(paragraphs)
    records = tuple(
        Quote(start, end, text[start:end], "direct", (Span.of(text, start, end),),
              mention=Span.of(text, *mention), speaker=name,
              stance=max(scores, key=scores.get), scores=scores)
        for start, end, mention, name, scores in quotes
    )
    return Analysis(f"synthetic-{number}", text, "the plan", records, (),
                    tuple(aggregate_speakers(records, ())))


def timings(browser, url: str, repeat: int) -> dict:
    loads = []
    for _ in range(repeat):
        page = browser.new_page()
        page.goto(url, wait_until="load")
        loads.append(page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {response_end_ms: n.responseEnd, dom_interactive_ms: n.domInteractive,"
            " load_ms: n.loadEventEnd}; })()"
        ))
        page.close()
    page = browser.new_page()
    page.goto(url, wait_until="load")
    middle = f"#article-{page.locator('section.article').count() // 2}"
    opened = None  # small reports open every article at load
    if page.locator(f"{middle} details[open]").count() == 0:
        started = time.perf_counter()
        page.locator(f"{middle} summary").click()
        page.locator(f"{middle} .body[data-filled]").wait_for()
        opened = round((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    page.select_option("#filter-speaker", index=1)
    filtered = time.perf_counter() - started
    page.close()
    median = {key: round(statistics.median(load[key] for load in loads)) for key in loads[0]}
    return {**median, "open_one_article_ms": opened, "filter_ms": round(filtered * 1000)}


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--articles", type=int, help="generate a synthetic corpus of this many articles")
    source.add_argument("--page", type=Path, help="an existing report page")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--screenshot", type=Path, help="save a screenshot of the page here")
    parser.add_argument("--focus", type=int, help="focus this quote (0-based) before the screenshot")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1400)
    parser.add_argument("--full-page", action="store_true", help="screenshot the whole page, not the window")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    result: dict = {"browser": CHROMIUM}
    with tempfile.TemporaryDirectory() as scratch:
        page_path = args.page
        if args.articles:
            rng = random.Random(13)
            analyses = [synthetic_analysis(number, rng) for number in range(args.articles)]
            started = time.perf_counter()
            page_html = render_report(analyses, merge_corpus(a.stances for a in analyses))
            result["render_s"] = round(time.perf_counter() - started, 2)
            page_path = Path(scratch) / "report.html"
            page_path.write_text(page_html, encoding="utf-8")
            result["articles"] = args.articles
        result["page_mb"] = round(page_path.stat().st_size / 1e6, 2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            result["chromium"] = browser.version
            result.update(timings(browser, page_path.resolve().as_uri(), args.repeat))
            if args.screenshot:
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(page_path.resolve().as_uri(), wait_until="load")
                if args.focus is not None:
                    quote = page.locator("mark.quote").nth(args.focus)
                    quote.scroll_into_view_if_needed()
                    quote.focus()
                page.screenshot(path=str(args.screenshot), full_page=args.full_page)
                result["screenshot"] = str(args.screenshot)
            browser.close()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
