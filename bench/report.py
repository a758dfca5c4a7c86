"""Turns bench/run.sh's results.json into a Markdown table and an SVG chart.

Usage: report.py results.json results.md chart.svg
Every cell is the median over the runs, with the spread (min-max) in brackets.
"""

import json
import math
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

OURS = "async-patterns"
PEER = "rmcp 3.11"


def fig(row, key):
    value = row["figures"].get(key)
    return value if isinstance(value, dict) else None


def fmt_number(x, digits):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def cell(row, key, digits=1):
    value = fig(row, key)
    if value is None:
        return "n/a"
    median = fmt_number(value["median"], digits)
    if value["min"] == value["max"]:
        return median
    return f"{median} ({fmt_number(value['min'], digits)}-{fmt_number(value['max'], digits)})"


def failed(row, key):
    value = fig(row, f"{key}_errors")
    return value is not None and value["max"] > 0


def median(rows, server, protocol, key):
    for row in rows:
        if row["server"] == server and row["protocol"] == protocol:
            value = fig(row, key)
            return None if value is None else value["median"]
    return None


def targets(rows):
    lines = []
    for protocol in sorted({r["protocol"] for r in rows}):

        def ours(key, protocol=protocol):
            return median(rows, OURS, protocol, key)

        def peer(key, protocol=protocol):
            return median(rows, PEER, protocol, key)

        checks = [
            ("cold start < 5 ms", ours("cold_start_ms"), 5, "lt", "ms"),
            ("get_snippet p50 < 50 µs", ours("get_snippet_p50_us"), 50, "lt", "µs"),
            ("get_snippet p50 <= rmcp", ours("get_snippet_p50_us"), peer("get_snippet_p50_us"), "le", "µs"),
            ("pipelined >= rmcp", ours("pipelined_calls_per_s"), peer("pipelined_calls_per_s"), "ge", "calls/s"),
            (
                "HTTP 32 clients >= rmcp",
                ours("http_32_clients_req_per_s"),
                peer("http_32_clients_req_per_s"),
                "ge",
                "req/s",
            ),
            ("peak RSS < 12 MiB (sequential)", ours("peak_rss_sequential_mib"), 12, "lt", "MiB"),
            ("peak RSS < 12 MiB (after pipelined)", ours("peak_rss_mib"), 12, "lt", "MiB"),
        ]
        for name, value, bound, op, unit in checks:
            if value is None or bound is None:
                lines.append(f"| {protocol} | {name} | n/a | |")
                continue
            ok = {"lt": value < bound, "le": value <= bound, "ge": value >= bound}[op]
            lines.append(
                f"| {protocol} | {name} | {fmt_number(value, 1)} {unit} vs {fmt_number(bound, 1)} | "
                f"{'met' if ok else 'missed'} |"
            )
    return lines


def markdown(report):
    rows = report["results"]
    m = report["machine"]
    out = []
    if report["quick"]:
        out += [
            "Smoke run (BENCH_QUICK=1): short workloads, peers and driver built without "
            "optimizations. It shows that the harness works; use a full run for figures.",
            "",
        ]
    out += [
        f"Runs: {report['runs']}{' (quick)' if report['quick'] else ''}; each cell is the median "
        "over runs with min-max in brackets. "
        f"Machine: {m['cpus']} cores ({m.get('cpu_model') or 'unknown CPU'}), kernel {m['kernel']}, "
        f"load average at start {m['loadavg_at_start'].split()[0]}, at end "
        f"{m['loadavg_at_end'].split()[0]} (shared with other work: noisy).",
        "",
        "**stdio** (cold start: spawn to the first answer, `initialize` for 2025-11-25, a "
        "`tools/list` for 2026-07-28; latencies sequential, one call in flight; peak RSS: VmHWM "
        "after the sequential calls and demos; pipelined: N calls written without waiting on "
        "one connection, N sized to about two seconds of sequential calls (2,000-100,000), and "
        "the VmHWM after it, which grows with how much a server queues)",
        "",
        "| server | protocol | cold start ms | get_snippet p50 µs | get_snippet p99 µs "
        "| list_patterns p50 µs | search_patterns p50 µs | peak RSS MiB | run_demo overhead ms "
        "| pipelined calls/s | peak RSS after pipelined MiB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if not r["figures"]:
            out.append(f"| {r['server']} | {r['protocol']} | failed | | | | | | | | |")
            continue
        out.append(
            f"| {r['server']} | {r['protocol']} | {cell(r, 'cold_start_ms', 1)} "
            f"| {cell(r, 'get_snippet_p50_us', 0)} | {cell(r, 'get_snippet_p99_us', 0)} "
            f"| {cell(r, 'list_patterns_p50_us', 0)} | {cell(r, 'search_patterns_p50_us', 0)} "
            f"| {cell(r, 'peak_rss_sequential_mib', 1)} | {cell(r, 'run_demo_overhead_ms', 1)} "
            f"| {cell(r, 'pipelined_calls_per_s', 0)} | {cell(r, 'peak_rss_mib', 1)} |"
        )
    out += [
        "",
        "**Streamable HTTP** (`wrk`, keep-alive connections all posting `get_snippet`; a "
        "2025-11-25 client initializes once and sends the `Mcp-Session-Id` it got, if any)",
        "",
        "| server | protocol | 1 client req/s | 32 clients req/s | peak RSS MiB | answer as |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if not r["figures"]:
            continue
        one = cell(r, "http_1_client_req_per_s", 0) + (" (errors)" if failed(r, "http_1_client_req_per_s") else "")
        many = cell(r, "http_32_clients_req_per_s", 0) + (" (errors)" if failed(r, "http_32_clients_req_per_s") else "")
        kind = r["figures"].get("http_content_type") or "n/a"
        kind = kind.split(";")[0] if isinstance(kind, str) else "n/a"
        out.append(f"| {r['server']} | {r['protocol']} | {one} | {many} | {cell(r, 'http_peak_rss_mib', 1)} | {kind} |")
    sizes = {
        r["server"]: fig(r, "get_snippet_answer_bytes")["median"]
        for r in rows
        if fig(r, "get_snippet_answer_bytes") and r["protocol"] == "2025-11-25"
    }
    out += [
        "",
        "`get_snippet` answer size in bytes (same structured content; the text copy is "
        "formatted by each SDK): " + ", ".join(f"{k} {v:.0f}" for k, v in sizes.items()) + ".",
        "",
        "**Targets (issue #8)** for async-patterns",
        "",
        "| protocol | target | ours vs bound | |",
        "| --- | --- | --- | --- |",
        *targets(rows),
    ]
    if report.get("failures"):
        out += ["", "Failed measurements: " + ", ".join(report["failures"])]
    return "\n".join(out) + "\n"


def chart(report, path):
    rows = [r for r in report["results"] if r["figures"]]
    panels = [
        ("cold_start_ms", "cold start (ms, log)", True),
        ("get_snippet_p50_us", "stdio get_snippet p50 (µs, log)", True),
        ("pipelined_calls_per_s", "stdio pipelined (calls/s)", False),
        ("http_32_clients_req_per_s", "HTTP, 32 clients (req/s)", False),
        ("peak_rss_sequential_mib", "peak RSS, stdio (MiB, log)", True),
    ]
    servers = list(dict.fromkeys(r["server"] for r in rows))
    protocols = list(dict.fromkeys(r["protocol"] for r in rows))
    colors = ["#1f77b4", "#ff7f0e"]
    figure, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 4.2))
    width = 0.8 / max(len(protocols), 1)
    for ax, (key, title, log) in zip(axes, panels, strict=True):
        for pi, protocol in enumerate(protocols):
            xs, ys, lo, hi = [], [], [], []
            for si, server in enumerate(servers):
                row = next((r for r in rows if r["server"] == server and r["protocol"] == protocol), None)
                value = fig(row, key) if row else None
                if value is None:
                    continue
                xs.append(si + (pi - (len(protocols) - 1) / 2) * width)
                ys.append(value["median"])
                lo.append(value["median"] - value["min"])
                hi.append(value["max"] - value["median"])
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, color=colors[pi % 2], label=protocol)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(servers)))
        ax.set_xticklabels([s.replace(" ", "\n", 1) for s in servers], fontsize=8)
        if log:
            ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    m = report["machine"]
    figure.suptitle(
        f"async-patterns vs the official SDKs' servers: median of {report['runs']} run(s), "
        f"bars min-max; {m['cpus']} shared cores",
        fontsize=11,
    )
    figure.tight_layout()
    figure.savefig(path, format="svg", metadata={"Date": None})


def main():
    results, md_path, svg_path = sys.argv[1:4]
    with open(results, encoding="utf-8") as f:
        report = json.load(f)
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(markdown(report))
    chart(report, svg_path)


if __name__ == "__main__":
    main()
