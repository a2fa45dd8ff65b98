"""Shared by the benchmark scripts: the article format, question files, percentiles.

The article parser is a port of src/corpus.rs (front matter, headings, one paragraph per
non-empty line), so the peers index exactly the passages yunqi-bot indexes.
"""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path

MAX_HEADING_CHARS = 24
ARTICLE_EXTENSIONS = {"md", "txt"}
SENTENCE_PUNCT = set("。，,！!？?；;：:、…")


def has_sentence_punctuation(text: str) -> bool:
    if any(c in SENTENCE_PUNCT for c in text):
        return True
    return "." in text and not any(c.isascii() and c.isdigit() for c in text)


def heading_text(line: str) -> str | None:
    """The heading text of a heading line, or None for a paragraph (src/corpus.rs)."""
    if line.startswith("#"):
        return line.lstrip("#").strip()
    for prefix in ("——", "--"):
        if line.startswith(prefix):
            rest = line[len(prefix):].strip()
            if rest and len(rest) <= MAX_HEADING_CHARS and not has_sentence_punctuation(rest):
                return rest
            break
    if len(line) <= MAX_HEADING_CHARS and not has_sentence_punctuation(line):
        return line
    return None


def is_paragraph(line: str) -> bool:
    """Whether a (stripped, non-empty) body line is read as a paragraph."""
    return heading_text(line) is None


def parse_article(text: str) -> tuple[str, list[str]]:
    """(title, paragraphs) of one article file's text."""
    text = text.removeprefix("\ufeff")
    lines = [l.rstrip("\r") for l in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()
    title = ""
    body_start = 0
    first = next((i for i, l in enumerate(lines) if l.strip()), 0)
    if lines and lines[first].strip() == "---":
        close = next(i for i in range(first + 1, len(lines)) if lines[i].strip() == "---")
        for line in lines[first + 1:close]:
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() == "title":
                title = value.strip().strip('"').strip("'").strip() or title
        body_start = close + 1
    paragraphs: list[str] = []
    section_seen = False
    for line in lines[body_start:]:
        stripped = line.strip()
        if not stripped:
            continue
        heading = heading_text(stripped)
        if heading is not None:
            if not title and not paragraphs and not section_seen:
                title = heading
            else:
                section_seen = True
            continue
        paragraphs.append(line)
    return title, paragraphs


def load_corpus(data_dir: Path) -> list[tuple[str, str, int, str]]:
    """Every passage of the articles in `data_dir`: (article id, title, paragraph number, text)."""
    passages = []
    for path in sorted(data_dir.iterdir()):
        if not path.is_file() or path.suffix.lstrip(".").lower() not in ARTICLE_EXTENSIONS:
            continue
        try:
            title, paragraphs = parse_article(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, StopIteration):
            continue
        for n, text in enumerate(paragraphs, 1):
            passages.append((path.stem, title, n, text))
    return passages


def corpus_bytes(data_dir: Path) -> int:
    return sum(
        p.stat().st_size
        for p in data_dir.iterdir()
        if p.is_file() and p.suffix.lstrip(".").lower() in ARTICLE_EXTENSIONS
    )


def load_questions(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def percentile(sorted_values: list[float], p: float) -> float:
    """The same pick as benches/ask.rs: index floor((n - 1) * p) of the sorted values."""
    if not sorted_values:
        return float("nan")
    return sorted_values[int((len(sorted_values) - 1) * p)]


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hit(text: str, expect: list[str]) -> bool:
    return any(e in text for e in expect)


def venv_python() -> Path:
    return Path(__file__).resolve().parent / ".venv" / "bin" / "python"


def reexec_in_venv() -> None:
    """Re-run this script under bench/.venv's Python when started with another one."""
    py = venv_python()
    if py.exists() and Path(os.sys.prefix).resolve() != py.parent.parent.resolve():
        import sys

        os.execv(str(py), [str(py), *sys.argv])
