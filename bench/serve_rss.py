#!/usr/bin/env python3
"""Resident memory of `yunqi-bot serve`, idle and under a load of questions.

Runs the release binary against a minimal fake Bot API on 127.0.0.1 (long polling):
getMe, getUpdates, sendMessage and the few calls the bot makes at start-up. Idle RSS is
read once the bot has polled for a while; then every question of the file is sent
`--rounds` times, question i always by user i (as many users at once as there are
questions, each well within the per-user limit), and RSS is sampled until as many replies
as questions have been sent. teloxide keeps a queue of about 54 KiB for every chat that
was busy at the same time, so a burst from more users costs more (468 at once: about
20 MiB more). Prints one JSON line: idle_rss_mib, load_rss_mib (highest sample under
load), after_rss_mib (settled after it), peak_rss_mib (the kernel's high-water mark,
start-up included), answered (replies sent), asked.

  bench/serve_rss.py [--bin target/release/yunqi-bot] DATA_DIR QUESTIONS.jsonl [--rounds 3]
Standard library only; needs Linux (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token"
BOT = {"id": 900001, "is_bot": True, "first_name": "Yunqi", "username": "yunqi_bench_bot"}


class FakeApi:
    """Updates queued by the benchmark; answers counted per chat."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.updates: list[dict] = []
        self.polls = 0
        self.sent = 0

    def push(self, user: int, text: str) -> None:
        with self.cond:
            n = len(self.updates) + 1
            chat = {"id": user, "type": "private", "first_name": f"User{user}"}
            self.updates.append({"update_id": n, "message": {
                "message_id": n, "date": 1_727_000_000, "chat": chat,
                "from": {"id": user, "is_bot": False, "first_name": f"User{user}"}, "text": text}})
            self.cond.notify_all()

    def call(self, method: str, params: dict):
        method = method.lower()  # teloxide writes `GetMe`; Telegram ignores the case
        if method == "getme":
            return dict(BOT, can_join_groups=True, can_read_all_group_messages=False,
                        supports_inline_queries=True, can_connect_to_business=False, has_main_web_app=False)
        if method == "getupdates":
            offset = int(params.get("offset") or 0)
            with self.cond:
                self.polls += 1
                self.cond.wait_for(lambda: any(u["update_id"] >= offset for u in self.updates), timeout=0.3)
                return [u for u in self.updates if u["update_id"] >= offset][:100]
        if method == "sendmessage":
            chat_id = int(params.get("chat_id", 0))
            with self.cond:
                self.sent += 1
                sent = self.sent
            return {"message_id": 1_000_000 + sent, "date": 1_727_000_100, "from": BOT,
                    "chat": {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"},
                    "text": str(params.get("text", ""))[:50]}
        if method == "getwebhookinfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True


def serve_api(api: FakeApi) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as reqwest's connection pool expects

        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                params = json.loads(body) if body.startswith(b"{") else {}
            except ValueError:
                params = {}
            method = self.path.rsplit("/", 1)[-1]
            reply = json.dumps({"ok": True, "result": api.call(method, params)}).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot gave up on a long poll (at shutdown)

        do_GET = do_POST

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def measure(binary: Path, data_dir: Path, questions: list[str], rounds: int, index_dir: Path) -> dict:
    """Serve from an index already built in `index_dir`, as after a restart."""
    api = FakeApi()
    server = serve_api(api)
    env = dict(os.environ, TELOXIDE_TOKEN=TOKEN, TELOXIDE_API_URL=f"http://127.0.0.1:{server.server_port}/",
               RUST_LOG="warn")
    bot = subprocess.Popen([str(binary), "--data-dir", str(data_dir), "--index-dir", str(index_dir), "serve"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while api.polls < 5:
            if bot.poll() is not None or time.time() > deadline:
                sys.exit(f"serve did not start polling:\n{bot.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)
        time.sleep(1.0)
        idle = status_kib(bot.pid, "VmRSS")
        for _ in range(rounds):
            for i, q in enumerate(questions):
                api.push(1_000_000 + i, q)
        asked = rounds * len(questions)
        load = idle
        deadline = time.time() + 120
        while api.sent < asked and time.time() < deadline:
            load = max(load, status_kib(bot.pid, "VmRSS"))
            time.sleep(0.02)
        time.sleep(2.0)
        after = status_kib(bot.pid, "VmRSS")
        peak = status_kib(bot.pid, "VmHWM")
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        server.shutdown()
    return {"idle_rss_mib": idle / 1024, "load_rss_mib": load / 1024, "after_rss_mib": after / 1024,
            "peak_rss_mib": peak / 1024, "answered": api.sent, "asked": asked}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", type=Path, default=ROOT / "target/release/yunqi-bot")
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("questions", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--index-dir", type=Path, help="a built index (default: one built in a temporary directory)")
    args = ap.parse_args()
    questions = [json.loads(line)["q"] for line in args.questions.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as temp:
        index_dir = args.index_dir or Path(temp)
        if args.index_dir is None:
            subprocess.run([str(args.bin), "--data-dir", str(args.data_dir), "--index-dir", str(index_dir), "index"],
                           check=True, capture_output=True)
        result = measure(args.bin, args.data_dir, questions, args.rounds, index_dir)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
