"""`stance label --interactive` driven through a pseudo-terminal, as a person uses it: single keys
in (no Enter), the label file out, an answer on disk before the next question, quit, resume."""

from __future__ import annotations

import os
import re
import select
import sys
import time
from pathlib import Path

import pytest

from stance.labelling import read_label_file

pty = pytest.importorskip("pty", reason="pseudo-terminals are POSIX only")

ARTICLE = (
    "The city council met on Monday to discuss the new shelter.\n\n"
    '"We will open the shelter to every family that needs it," said Mayor Ana Ruiz.\n\n'
    '"The raids have to stop before winter," said Senator Tom Hale.\n\n'
    "Police Chief Dan Moss said the department would not change its patrols.\n"
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TIMEOUT = 120  # seconds for a prompt: the first one waits for torch and the model to load


class Terminal:
    """A command run in a pseudo-terminal: `expect` reads its screen output up to a pattern,
    `press` types keys."""

    def __init__(self, argv: list[str], cwd: Path):
        env = {**os.environ, "TERM": "dumb", "COLUMNS": "120", "NO_COLOR": "1", "HF_HUB_OFFLINE": "1"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the pseudo-terminal is its stdin, stdout and controlling tty
            try:
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)  # never return into the test runner
        self.seen = ""

    def expect(self, pattern: str) -> str:
        """Wait for ``pattern`` in the output not read yet; returns the output up to it."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            match = re.search(pattern, self.seen)
            if match:
                before, self.seen = self.seen[: match.end()], self.seen[match.end() :]
                return before
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {pattern!r} within {TIMEOUT} s; the screen showed:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the command ended before {pattern!r}; the screen showed:\n{self.seen}")
                self.seen += ANSI.sub("", chunk.decode("utf-8", "replace")).replace("\r", "")

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait(self) -> int:
        """The exit status, after reading the rest of the output."""
        try:
            while select.select([self.fd], [], [], TIMEOUT)[0] and (chunk := os.read(self.fd, 4096)):
                self.seen += ANSI.sub("", chunk.decode("utf-8", "replace")).replace("\r", "")
        except OSError:
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def stance_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("stance")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from stance.cli import main; main()", *args]


def answers(path: Path) -> list[tuple[str | None, str]]:
    return [(row.speaker, row.label) for row in read_label_file(path)]


def test_labelling_terminal_keys_in_file_out_with_undo_quit_and_resume(tmp_path, tiny_stance_dir):
    (tmp_path / "council.txt").write_text(ARTICLE, encoding="utf-8")
    output = tmp_path / "labels.csv"
    command = stance_command(
        "label", "council.txt", "--model", str(tiny_stance_dir), "--output", output.name, "--order", "article",
        "--fast", "--interactive",
    )
    session = Terminal(command, tmp_path)
    shown = session.expect(r"statement 1 of 3")
    shown += session.expect(r"\[q\] quit")
    assert "Ana Ruiz" in shown and "suggested:" in shown and "We will open the shelter" in shown
    session.press("f")
    session.expect(r"statement 2 of 3")
    assert answers(output) == [("Ana Ruiz", "favor")]  # on disk while the question after it waits
    session.press("a")
    session.expect(r"statement 3 of 3")
    assert answers(output) == [("Ana Ruiz", "favor"), ("Tom Hale", "against")]
    session.press("u")
    session.expect(r"undone")
    assert "Tom Hale" in session.expect(r"statement 2 of 3.*\n(?:.*\n)*?.*\[q\] quit")
    assert answers(output) == [("Ana Ruiz", "favor")]
    session.press("n")
    session.expect(r"statement 3 of 3")
    session.press("q")
    assert session.wait() == 0
    assert "2 labelled in this session, 2 in labels.csv" in session.seen
    assert answers(output) == [("Ana Ruiz", "favor"), ("Tom Hale", "neutral")]

    # Running it again asks only the statement left; skipping it ends the session, writing nothing.
    resumed = Terminal(command, tmp_path)
    shown = resumed.expect(r"statement 1 of 1.*\n(?:.*\n)*?.*\[q\] quit")
    assert "Dan Moss" in shown and "2 labelled" in shown
    resumed.press("s")
    assert resumed.wait() == 0
    assert "0 labelled in this session, 2 in labels.csv" in resumed.seen
    assert answers(output) == [("Ana Ruiz", "favor"), ("Tom Hale", "neutral")]
