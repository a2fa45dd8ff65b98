#!/usr/bin/env python3
"""The peers a user might write instead of yunqi-bot, measured in-process.

    bench/.venv/bin/python bench/peer.py --peer bm25|fts5 DATA_DIR QUESTIONS.jsonl [--rounds N]

  bm25  jieba 0.42.1 + rank_bm25 0.2.2 (BM25Okapi) over passages converted to Simplified
        with OpenCC t2s; the question is converted and segmented the same way.
  fts5  SQLite FTS5 (Python's sqlite3, in memory) with the trigram tokenizer over passages
        converted to Simplified; the question, converted, is split at punctuation and
        spaces, and the trigrams of its pieces are OR-ed and ranked by FTS5's bm25.

Both load the corpus with the port of src/corpus.rs in common.py, so they index the same
passages as yunqi-bot. Prints one JSON object: build seconds (load + convert + index),
per-question p50/p99 in microseconds (conversion, segmentation and ranking included), R@1
over the questions with a non-empty `expect` (hit = the top passage contains one of them),
and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.reexec_in_venv()

SPLIT = re.compile(r"[\s\W_]+", re.UNICODE)


class Bm25Peer:
    def __init__(self, texts: list[str]):
        import jieba
        import opencc
        from rank_bm25 import BM25Okapi

        jieba.setLogLevel(60)
        jieba.initialize()
        self.jieba = jieba
        self.t2s = opencc.OpenCC("t2s.json")
        tokenized = [self.tokens(t) for t in texts]
        self.bm25 = BM25Okapi(tokenized)

    def tokens(self, text: str) -> list[str]:
        text = self.t2s.convert(text).lower()
        return [w for w in self.jieba.lcut(text) if not SPLIT.fullmatch(w)]

    def top(self, question: str) -> int | None:
        terms = self.tokens(question)
        if not terms:
            return None
        scores = self.bm25.get_scores(terms)
        best = int(scores.argmax())
        return best if scores[best] > 0 else None


class Fts5Peer:
    def __init__(self, texts: list[str]):
        import sqlite3

        import opencc

        self.t2s = opencc.OpenCC("t2s.json")
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE p USING fts5(body, tokenize='trigram')")
        self.db.executemany(
            "INSERT INTO p(rowid, body) VALUES (?, ?)",
            ((i, self.t2s.convert(t)) for i, t in enumerate(texts)),
        )
        self.db.commit()

    def top(self, question: str) -> int | None:
        q = self.t2s.convert(question).lower()
        grams = []
        for piece in SPLIT.split(q):
            for i in range(len(piece) - 2):
                g = piece[i:i + 3]
                if g not in grams:
                    grams.append(g)
        if not grams:
            return None
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
        row = self.db.execute(
            "SELECT rowid FROM p WHERE p MATCH ? ORDER BY rank LIMIT 1", (match,)
        ).fetchone()
        return row[0] if row else None


PEERS = {"bm25": Bm25Peer, "fts5": Fts5Peer}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", choices=sorted(PEERS), required=True)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("questions", type=Path)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=10, help="questions asked once, untimed, first")
    args = ap.parse_args()

    started = time.perf_counter()
    passages = common.load_corpus(args.data_dir)
    texts = [p[3] for p in passages]
    peer = PEERS[args.peer](texts)
    build = time.perf_counter() - started

    questions = common.load_questions(args.questions)
    for qn in questions[: args.warmup]:
        peer.top(qn["q"])
    latencies = []
    for _ in range(args.rounds):
        for qn in questions:
            t = time.perf_counter()
            peer.top(qn["q"])
            latencies.append(time.perf_counter() - t)
    latencies.sort()
    positives = [qn for qn in questions if qn.get("expect")]
    missed = []
    for qn in positives:
        best = peer.top(qn["q"])
        if best is None or not common.hit(texts[best], qn["expect"]):
            missed.append(qn.get("id"))
    hits = len(positives) - len(missed)
    print(json.dumps({
        "system": args.peer,
        "passages": len(texts),
        "build_s": build,
        "asked": len(latencies),
        "p50_us": common.percentile(latencies, 0.5) * 1e6,
        "p99_us": common.percentile(latencies, 0.99) * 1e6,
        "r1": hits / len(positives) if positives else None,
        "positives": len(positives),
        "missed": missed,
        "peak_rss_mib": common.peak_rss_mib(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
