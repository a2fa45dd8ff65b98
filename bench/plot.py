"""Draws cost against corpus size as an SVG, with no dependencies (called by driver.py)."""

from __future__ import annotations

import math
from html import escape

COLORS = {"yunqi-bot": "#d62728", "bm25": "#1f77b4", "fts5": "#2ca02c"}
LABELS = {"yunqi-bot": "yunqi-bot", "bm25": "jieba + rank_bm25", "fts5": "SQLite FTS5 trigram"}


def _ticks(lo: float, hi: float) -> list[float]:
    ticks = []
    e = math.floor(math.log10(lo))
    while 10**e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10**e
            if lo * 0.9999 <= v <= hi * 1.0001:
                ticks.append(v)
        e += 1
    return ticks


def _fmt(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:g} s"
    if v >= 1e3:
        return f"{v / 1e3:g} ms"
    return f"{v:g} µs"


def _panel(x0, y0, w, h, title, series, xlabel, yfmt):
    """series: [(label, color, dashed, [(x, y), ...])] on log-log axes."""
    xs = [x for *_, pts in series for x, _ in pts]
    ys = [y for *_, pts in series for _, y in pts if y > 0]
    if not xs or not ys:
        return []
    xlo, xhi = min(xs) / 1.3, max(xs) * 1.3
    ylo = 10 ** math.floor(math.log10(min(ys)))
    yhi = 10 ** math.ceil(math.log10(max(ys)))
    px = lambda x: x0 + (math.log10(x) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo)) * w
    py = lambda y: y0 + h - (math.log10(y) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)) * h
    out = [
        f'<text x="{x0 + w / 2}" y="{y0 - 12}" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#444"/>',
    ]
    for t in _ticks(ylo, yhi):
        y = py(t)
        out.append(f'<line x1="{x0}" x2="{x0 + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{escape(yfmt(t))}</text>')
    for t in sorted(set(xs)):
        x = px(t)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{y0 + h}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{y0 + h + 16}" text-anchor="middle" font-size="11">{t:g}</text>')
    out.append(f'<text x="{x0 + w / 2}" y="{y0 + h + 34}" text-anchor="middle" font-size="12">{escape(xlabel)}</text>')
    for label, color, dashed, pts in series:
        pts = [(x, y) for x, y in sorted(pts) if y > 0]
        if not pts:
            continue
        d = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(pts))
        dash = ' stroke-dasharray="6,4"' if dashed else ""
        out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
    return out


def draw(rows: list[dict], path: str, subtitle: str = "") -> None:
    """rows: the driver's result rows for the sized corpora (keys mb, system, p50_us, p99_us, build_s)."""
    systems = [s for s in COLORS if any(r["system"] == s for r in rows)]
    lat, build = [], []
    for s in systems:
        rs = [r for r in rows if r["system"] == s]
        lat.append((f"{LABELS[s]} p50", COLORS[s], False, [(r["mb"], r["p50_us"]) for r in rs]))
        lat.append((f"{LABELS[s]} p99", COLORS[s], True, [(r["mb"], r["p99_us"]) for r in rs]))
        build.append((LABELS[s], COLORS[s], False, [(r["mb"], r["build_s"] * 1e6) for r in rs]))
    W, H = 980, 470
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">Cost against corpus size (log-log){escape(subtitle)}</text>',
    ]
    out += _panel(80, 60, 370, 320, "per-question latency (solid p50, dashed p99)", lat, "corpus size (MB)", _fmt)
    out += _panel(570, 60, 370, 320, "index build time", build, "corpus size (MB)", _fmt)
    y = 430
    x = 80
    for s in systems:
        out.append(f'<line x1="{x}" x2="{x + 24}" y1="{y}" y2="{y}" stroke="{COLORS[s]}" stroke-width="3"/>')
        out.append(f'<text x="{x + 30}" y="{y + 4}">{escape(LABELS[s])}</text>')
        x += 220
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
