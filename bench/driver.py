#!/usr/bin/env python3
"""Measures yunqi-bot and the Python peers side by side (run through bench/run).

For every dataset (the shipped article with the blind holdout questions, then the 1, 5,
20 and 50 MB chinese-poetry corpora with their known-item questions):
  yunqi-bot  `index` with the release binary: wall time, MB/s, index size (du), peak RSS;
             cold start: `ask QUESTION` wall time with the index built (median of 5);
             in-process: the `ask` bench (benches/ask.rs) on the built index: p50/p99 of
             Engine::ask, R@1 of the ranking with the gate off, peak RSS;
             `serve` against a fake Bot API (bench/serve_rss.py): RSS idle and under load;
  bm25, fts5 bench/peer.py in its own process: build, p50/p99, R@1, peak RSS.
Writes bench/results/results.json, results.md (the tables) and cost-vs-size.svg.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import common  # noqa: E402
import plot  # noqa: E402
import serve_rss  # noqa: E402

SIZES = ["1mb", "5mb", "20mb", "50mb"]


def run_rusage(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) via wait4, so the RSS is this child's own."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read().decode()[-2000:]}")
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def last_json(text: str) -> dict:
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON line in:\n{text}")


def by_kind(questions: list[dict], missed: list[str]) -> dict:
    """R@1 per question kind (the `line` and `clause` tags of the corpus questions)."""
    missed = set(missed)
    out = {}
    for kind in ("line", "clause"):
        ids = [q["id"] for q in questions if q.get("expect") and kind in q.get("tags", [])]
        if ids:
            out[kind] = sum(i not in missed for i in ids) / len(ids)
    return out


def du_mib(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0]) / 1024


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", type=Path, default=ROOT / "target/release/yunqi-bot")
    ap.add_argument("--bench-exe", type=Path, required=True, help="the built `ask` bench")
    ap.add_argument("--bot-bench-exe", type=Path, help="the built `bot` bench (throughput through the fake Bot API)")
    ap.add_argument("--only", default="shipped," + ",".join(SIZES), help="datasets, comma-separated")
    ap.add_argument("--peers", default="bm25,fts5")
    ap.add_argument("--rounds-shipped", type=int, default=20)
    ap.add_argument("--rounds-corpus", type=int, default=3, help="rounds on the corpora (bm25: 1)")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()

    corpus = HERE / "cache" / "corpus"
    work = HERE / "work"
    work.mkdir(exist_ok=True)
    datasets = []
    for name in args.only.split(","):
        if name == "shipped":
            datasets.append((name, ROOT / "data", ROOT / "tests/fixtures/blind_holdout.jsonl", args.rounds_shipped))
        else:
            datasets.append((name, corpus / name, corpus / f"{name}.questions.jsonl", args.rounds_corpus))
    peers = [p for p in args.peers.split(",") if p]

    load_before = os.getloadavg()
    rows = []
    for name, data_dir, questions, rounds in datasets:
        mb = common.corpus_bytes(data_dir) / 1e6
        qs = common.load_questions(questions)
        print(f"== {name}: {data_dir} ({mb:.2f} MB), {len(qs)} questions", flush=True)
        index_dir = work / f"index-{name}"
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        base = [str(args.bin), "--data-dir", str(data_dir), "--index-dir", str(index_dir)]
        wall, rss, out = run_rusage(base + ["index"])
        summary = out.strip().splitlines()[-1] if out.strip() else ""
        index_mib = du_mib(index_dir)
        first_q = next(q["q"] for q in qs if q.get("expect")) if any(q.get("expect") for q in qs) else qs[0]["q"]
        colds = [run_rusage(base + ["ask", first_q]) for _ in range(5)]
        cold_ms = statistics.median(c[0] for c in colds) * 1000
        cold_rss = max(c[1] for c in colds)
        env = dict(os.environ, BENCH_DATA_DIR=str(data_dir), BENCH_QUESTIONS=str(questions),
                   BENCH_INDEX_DIR=str(index_dir), BENCH_ROUNDS=str(rounds))
        _, bench_rss, bench_out = run_rusage([str(args.bench_exe)], env=env)
        b = last_json(bench_out)
        if b.get("build_ms") is not None:
            print("  warning: the bench rebuilt the index (stale?)", flush=True)
        row = {
            "dataset": name, "mb": mb, "questions": len(qs), "system": "yunqi-bot",
            "build_s": wall, "mb_per_s": mb / wall, "index_mib": index_mib, "build_rss_mib": rss,
            "p50_us": b["p50_us"], "p99_us": b["p99_us"], "r1": b["r1"], "positives": b["positives"],
            "answered": b["answered"] / b["asked"], "query_rss_mib": b["peak_rss_mib"],
            "open_ms": b["open_ms"], "cold_ms": cold_ms, "cold_rss_mib": cold_rss,
            "asked": b["asked"], "index_summary": summary,
            "r1_by_kind": by_kind(qs, b["missed"]), "missed": b["missed"],
        }
        served = serve_rss.measure(args.bin, data_dir, [q["q"] for q in qs], 3 if name == "shipped" else 1, index_dir)
        row.update(serve_idle_mib=served["idle_rss_mib"], serve_load_mib=served["load_rss_mib"])
        rows.append(row)
        print(f"  yunqi-bot: index {wall:.2f} s ({mb / wall:.2f} MB/s, {rss:.0f} MiB peak, {index_mib:.1f} MiB on disk); "
              f"p50 {row['p50_us']:.0f} µs p99 {row['p99_us']:.0f} µs R@1 {row['r1']}; cold start {cold_ms:.0f} ms; "
              f"serve RSS {served['idle_rss_mib']:.0f} MiB idle, {served['load_rss_mib']:.0f} MiB under load "
              f"({served['answered']}/{served['asked']} answered)", flush=True)
        for peer in peers:
            peer_rounds = 1 if (peer == "bm25" and name != "shipped") else rounds
            _, rss, out = run_rusage([str(common.venv_python()), str(HERE / "peer.py"), "--peer", peer,
                                      str(data_dir), str(questions), "--rounds", str(peer_rounds)])
            p = last_json(out)
            rows.append({
                "dataset": name, "mb": mb, "questions": len(qs), "system": peer,
                "build_s": p["build_s"], "mb_per_s": mb / p["build_s"], "index_mib": None,
                "build_rss_mib": rss, "p50_us": p["p50_us"], "p99_us": p["p99_us"], "r1": p["r1"],
                "positives": p["positives"], "answered": None, "query_rss_mib": rss,
                "open_ms": None, "cold_ms": None, "cold_rss_mib": None, "asked": p["asked"],
                "passages": p["passages"],
                "r1_by_kind": by_kind(qs, p["missed"]), "missed": p["missed"],
            })
            print(f"  {peer}: build {p['build_s']:.2f} s, p50 {p['p50_us']:.0f} µs p99 {p['p99_us']:.0f} µs "
                  f"R@1 {p['r1']}, peak RSS {rss:.0f} MiB ({p['passages']} passages)", flush=True)
        passages = next((r["passages"] for r in rows if r["dataset"] == name and "passages" in r), None)
        for r in rows:
            if r["dataset"] == name:
                r["passages"] = passages

    bot = None
    if args.bot_bench_exe:
        print("== bot throughput through the fake Bot API", flush=True)
        _, _, out = run_rusage([str(args.bot_bench_exe)])
        bot = last_json(out)
        print(f"  {bot['answered_per_second']:.0f} answered updates/s", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    meta = {"machine": machine(), "commit": commit, "date": datetime.date.today().isoformat(),
            "rounds_shipped": args.rounds_shipped, "rounds_corpus": args.rounds_corpus,
            "loadavg_before": load_before, "loadavg_after": os.getloadavg(), "bot": bot}
    (args.out / "results.json").write_text(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=1) + "\n")
    md = render(meta, rows)
    (args.out / "results.md").write_text(md)
    sized = [r for r in rows if r["dataset"] != "shipped"]
    if sized:
        plot.draw(sized, str(args.out / "cost-vs-size.svg"), f" — {meta['machine'].split(',')[0]}, commit {commit}")
    print()
    print(md)
    return 0


def f(v, fmt: str, dash: str = "–") -> str:
    return dash if v is None else format(v, fmt)


def kinds(r: dict) -> str:
    k = r.get("r1_by_kind") or {}
    return " / ".join(f"{k[n]:.2f}" for n in ("line", "clause") if n in k) or "–"


def serve_mib(r: dict) -> str:
    return f"{r['serve_idle_mib']:.0f} / {r['serve_load_mib']:.0f}" if "serve_idle_mib" in r else "–"


def render(meta: dict, rows: list[dict]) -> str:
    lines = [
        f"Machine: {meta['machine']}; commit {meta['commit']}; {meta['date']}; load average "
        f"{meta['loadavg_before'][0]:.1f} before, {meta['loadavg_after'][0]:.1f} after (other jobs share the machine).",
        f"Rounds: every question asked {meta['rounds_shipped']}× on the shipped data, {meta['rounds_corpus']}× on the "
        "corpora (bm25: 1×), after 10 untimed warm-up questions.",
        "",
        "| corpus | MB | passages | questions | system | build s | MB/s | index MiB | build peak RSS MiB "
        "| p50 µs | p99 µs | R@1 | R@1 line / clause | ask peak RSS MiB | cold start ms | serve RSS MiB idle / load |",
        "|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['mb']:.2f} | {f(r.get('passages'), ',')} | {r['questions']} | {r['system']} "
            f"| {r['build_s']:.2f} | {r['mb_per_s']:.2f} | {f(r['index_mib'], '.1f')} | {r['build_rss_mib']:.0f} "
            f"| {r['p50_us']:,.0f} | {r['p99_us']:,.0f} | {f(r['r1'], '.3f')} | {kinds(r)} | {f(r['query_rss_mib'], '.0f')} "
            f"| {f(r['cold_ms'], '.0f')} | {serve_mib(r)} |"
        )
    lines += ["", "Ratios (peer ÷ yunqi-bot, per-question p50; above 1 means yunqi-bot is faster):", "",
              "| corpus | bm25 ÷ yunqi-bot | fts5 ÷ yunqi-bot |", "|---|--:|--:|"]
    for name in dict.fromkeys(r["dataset"] for r in rows):
        y = next((r for r in rows if r["dataset"] == name and r["system"] == "yunqi-bot"), None)
        ratio = lambda s: next((f"{r['p50_us'] / y['p50_us']:.2f}" for r in rows
                                if y and r["dataset"] == name and r["system"] == s), "–")
        lines.append(f"| {name} | {ratio('bm25')} | {ratio('fts5')} |")
    bot = meta.get("bot")
    if bot:
        lines += ["", f"Bot throughput (`cargo bench --bench bot`: the real bot through the fake Bot API over loopback, "
                  f"send pacing lifted): {bot['answered']} of {bot['updates']} private questions from {bot['users']} users "
                  f"answered in {bot['seconds']:.2f} s, **{bot['answered_per_second']:.0f} answered updates/s**; "
                  f"RSS of bot and fake together {bot['rss_idle_kib'] / 1024:.0f} MiB idle, "
                  f"{bot['rss_loaded_kib'] / 1024:.0f} MiB after the burst."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
