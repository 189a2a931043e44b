"""The benchmark's report: targets (pass/miss), a Markdown table, a PNG chart and the JSON of a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SIGNING = "patient: consent and signing (submit)"
OUTCOMES = "staff: outcomes page"
API_CREATE = "api: create visit"
BOARD_NAMES = ("staff: board", "staff: search by name", "staff: search by date of birth")
MB_LIMIT = 250
# The bare WeasyPrint render of the consent (the same HTML every run, CPU median) is the run's yardstick of
# the host's speed. Every run of the final code where the latency targets held measured 239-253 ms; the
# same code missed them on hosts that measured 265 ms and more (results/README.md, "Host speed").
REFERENCE_BARE_RENDER_MS = 250


def _by_name(phase: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in phase.get("endpoints", [])}


def _fmt(value: float | None, unit: str = " ms") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}{unit}" if value >= 10 else f"{value:.1f}{unit}"


def evaluate(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with what was measured and pass / miss / not measured.

    The verdict uses what the load tool saw (what a person waits). Beside it, `inside_worker` gives the
    same requests inside the gunicorn workers (access log: wall time in the worker and its CPU time).
    """
    phases = result.get("phases", {})
    mixed = _by_name(phases.get("mixed", {}))
    patients = result["settings"]["patients"]
    big_key = f"board@{patients}"
    small_key = next((k for k in phases if k.startswith("board@") and k != big_key), None)
    targets = []

    def add(name: str, measured: str, ok: bool | None, inside: str = ""):
        status = "not measured" if ok is None else ("pass" if ok else "MISS")
        targets.append({"target": name, "measured": measured, "status": status, "inside_worker": inside})

    def server_rows(phase_key: str | None, keep) -> list[dict[str, Any]]:
        rows = phases.get(phase_key, {}).get("server", []) if phase_key else []
        return [r for r in rows if keep(r["method"], r["route"])]

    def inside(phase_key: str | None, keep) -> str:
        rows = server_rows(phase_key, keep)
        if not rows:
            return ""
        worst = max(rows, key=lambda r: r["wall_p95_ms"])
        return (
            f"{worst['method']} {worst['route']}: wall p95 {_fmt(worst['wall_p95_ms'])}, "
            f"CPU p95 {_fmt(worst['cpu_p95_ms'])}"
        )

    def patient_route(method: str, route: str) -> bool:
        return route.startswith(("/p/", "/patient/")) and not (method == "POST" and route == "/patient/consent/")

    def board_route(method: str, route: str) -> bool:
        return method == "GET" and route == "/staff/"

    patient_rows = [
        row
        for name, row in mixed.items()
        if name.startswith("patient:") and name != SIGNING and row["type"] != "JOURNEY" and row["requests"]
    ]
    if patient_rows:
        worst = max(patient_rows, key=lambda r: r["p95_ms"] or 0)
        add(
            "patient pages p95 < 100 ms",
            f"worst p95 {_fmt(worst['p95_ms'])} ({worst['name']})",
            all((r["p95_ms"] or 0) < 100 for r in patient_rows),
            inside("mixed", patient_route),
        )
    else:
        add("patient pages p95 < 100 ms", "no patient pages", None)

    big = _by_name(phases.get(big_key, {})) or mixed
    small = _by_name(phases.get(small_key, {})) if small_key else {}
    for name in BOARD_NAMES:
        row = big.get(name)
        if row is None or not row["requests"]:
            add(f"{name} p95 < 150 ms at {patients:,}", "not available", None)
            continue
        add(
            f"{name} p95 < 150 ms at {patients:,}",
            _fmt(row["p95_ms"]),
            row["p95_ms"] < 150,
            inside(big_key if big_key in phases else "mixed", board_route),
        )
        if small.get(name) and small[name]["p95_ms"]:
            growth = row["p95_ms"] / small[name]["p95_ms"]
            before, after = server_rows(small_key, board_route), server_rows(big_key, board_route)
            detail = ""
            if before and after:
                detail = (
                    f"GET /staff/: wall p95 {after[0]['wall_p95_ms'] / max(before[0]['wall_p95_ms'], 1):.2f}x, "
                    f"CPU p95 {after[0]['cpu_p95_ms'] / max(before[0]['cpu_p95_ms'], 1):.2f}x"
                )
            add(
                f"{name} growth < 1.5x from {small_key.split('@')[1]} patients",
                f"{growth:.2f}x ({_fmt(small[name]['p95_ms'])} -> {_fmt(row['p95_ms'])})",
                growth < 1.5,
                detail,
            )

    signing = mixed.get(SIGNING)
    if signing and signing["requests"]:
        add(
            "signing incl. PDF + seal p95 < 1 s",
            f"{_fmt(signing['p95_ms'])} (n={signing['requests']})",
            signing["p95_ms"] < 1000,
            inside("mixed", lambda method, route: method == "POST" and route == "/patient/consent/"),
        )
    else:
        add("signing incl. PDF + seal p95 < 1 s", "signing not available", None)

    cpu = result.get("inprocess", {}).get("signing_cpu", {})
    if "ratio" in cpu:
        add(
            "signing CPU (PDF/A, tags, B-LT timestamp) <= 1.2x before the records issue",
            f"{cpu['ratio']:.2f}x: median {_fmt(cpu['now']['median_ms'])} now vs {_fmt(cpu['before']['median_ms'])} "
            f"at {cpu['before']['commit']} (sign_consent, {cpu['now']['runs']} runs each, alternating)",
            cpu["ratio"] <= 1.2,
            inside("mixed", lambda method, route: method == "POST" and route == "/patient/consent/"),
        )
    else:
        add("signing CPU (PDF/A, tags, B-LT timestamp) <= 1.2x before the records issue", "not measured", None)
    mixed_phase = phases.get("mixed", {})
    email = result.get("inprocess", {}).get("signing_email", {})
    if email.get("backends"):
        (queued_label, queued), (inline_label, inline) = list(email["backends"].items())
        delay_ms = email["smtp_delay_s"] * 1000
        drained = (
            f"; under load the worker sent {mixed_phase.get('emails_sent', 0)} emails"
            if mixed_phase.get("emails_sent")
            else ""
        )
        add(
            f"signing does not wait for the email (mail server takes {_fmt(delay_ms)} per message)",
            f"median {_fmt(queued['median_ms'])} {queued_label}, {queued['emails_sent_during_signing']} sent while "
            f"signing; {_fmt(inline['median_ms'])} {inline_label}{drained}",
            queued["emails_sent_during_signing"] == 0 and inline["median_ms"] - queued["median_ms"] > 0.8 * delay_ms,
        )
    else:
        add("signing does not wait for the email", "not measured", None)

    outcomes = mixed.get(OUTCOMES)
    if outcomes and outcomes["requests"]:
        add(
            f"{OUTCOMES} p95 < 300 ms at {patients:,}",
            f"{_fmt(outcomes['p95_ms'])} (n={outcomes['requests']})",
            outcomes["p95_ms"] < 300,
            inside("mixed", lambda method, route: method == "GET" and route == "/staff/outcomes/"),
        )
    else:
        add(f"{OUTCOMES} p95 < 300 ms at {patients:,}", "not available", None)

    api = mixed.get(API_CREATE)
    if api and api["requests"]:
        seconds = mixed_phase.get("measured_s") or mixed_phase.get("duration_s") or 60
        per_minute = api["requests"] / seconds * 60
        add(
            "API: 200 visit creations a minute during the mixed load",
            f"{per_minute:.0f} a minute, {api['failures']} failed, p95 {_fmt(api['p95_ms'])}",
            per_minute >= 190 and api["failures"] == 0,
            inside(
                "mixed",
                lambda method, route: method == "POST" and route.startswith("/api/") and route.endswith("/visits"),
            ),
        )
    else:
        add("API: 200 visit creations a minute during the mixed load", "not available", None)

    pdf = result.get("inprocess", {}).get("pdf", {})
    if "ratio_render_vs_bare" in pdf:
        add(
            "PDF path within 1.3x of bare WeasyPrint",
            f"{pdf['ratio_render_vs_bare']:.2f}x render (CPU {_fmt(pdf['render']['cpu']['median_ms'])} vs "
            f"{_fmt(pdf['bare_weasyprint']['cpu']['median_ms'])}); "
            f"with seal {pdf['ratio_render_and_seal_vs_bare']:.2f}x",
            pdf["ratio_render_vs_bare"] <= 1.3,
        )
    else:
        add("PDF path within 1.3x of bare WeasyPrint", pdf.get("error", "not available"), None)

    failures = sum(row["failures"] for phase in phases.values() for row in phase.get("endpoints", []))
    requests = sum(row["requests"] for phase in phases.values() for row in phase.get("endpoints", []))
    server_errors = sum(row["errors"] for phase in phases.values() for row in phase.get("server", []))
    add("no errors", f"{failures} failed of {requests:,} requests", failures == 0, f"{server_errors} responses 5xx")

    memory = phases.get("mixed", {}).get("memory", {})
    after = memory.get("after_run_rss_mb_per_worker") or []
    peak = memory.get("peak_rss_mb_per_worker") or []
    if after:
        add(
            f"worker memory < {MB_LIMIT} MB after the run",
            f"max {max(after):.0f} MB after, peak {max(peak):.0f} MB",
            max(after) < MB_LIMIT,
        )
    else:
        add(f"worker memory < {MB_LIMIT} MB after the run", "no sample", None)
    return targets


def host_speed(result: dict[str, Any]) -> str | None:
    """One sentence: how fast this host ran the fixed render, against the reference host."""
    bare = result.get("inprocess", {}).get("pdf", {}).get("bare_weasyprint", {}).get("cpu", {}).get("median_ms")
    if not bare:
        return None
    return (
        f"Host speed: the bare WeasyPrint render of the consent took {_fmt(bare)} of CPU (median), "
        f"{bare / REFERENCE_BARE_RENDER_MS:.2f}x the reference host's {REFERENCE_BARE_RENDER_MS} ms. Every request's "
        "CPU time scales with it, so compare latencies only between runs of similar host speed."
    )


def journeys_per_second(phase: dict[str, Any]) -> tuple[int, float]:
    done = sum(r["requests"] - r["failures"] for r in phase.get("endpoints", []) if r["type"] == "JOURNEY")
    seconds = phase.get("measured_s") or phase.get("duration_s")
    return done, done / seconds if seconds else 0.0


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    s = result["settings"]
    lines = [
        f"# Benchmark run {result['run']}",
        "",
        f"Commit `{result['commit']}`. Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM; "
        f"{m['os']}; Python {m['python']}; PostgreSQL {m.get('postgresql')}; Redis {m.get('redis')}; "
        + ", ".join(f"{k} {v}" for k, v in m.get("packages", {}).items())
        + ".",
        "",
        f"Stack: {s['stack']}; {s['workers']} gunicorn workers. Mixed load: {s['users']} simulated people for "
        f"{s['duration_s']} s on {s['patients']:,} patients. Growth: {s['board_users']} reception users on the "
        f"board for {s['growth_duration_s']} s at each size.",
        "",
        *([speed, ""] if (speed := host_speed(result)) else []),
        "## Targets",
        "",
        "Measured by the load tool (what a person waits), and the same requests inside the gunicorn "
        "workers (from the access log: time in the worker and its own CPU time).",
        "",
        "| target | measured | result | inside the workers |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {t['target']} | {t['measured']} | {t['status']} | {t.get('inside_worker', '')} |"
        for t in result.get("targets", [])
    ]
    for key, phase in result.get("phases", {}).items():
        done, rate = journeys_per_second(phase)
        lines += [
            "",
            f"## Load: {key} ({phase['size']:,} patients, {phase['users']} users, {phase['duration_s']} s"
            + (f", figures from the last {phase['measured_s']} s" if phase.get("measured_s") else "")
            + (", at the same time as the other size" if phase.get("simultaneous") else "")
            + ")",
            "",
            "| endpoint | requests | errors | p50 | p95 | p99 | req/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        rows = [r for r in phase.get("endpoints", []) if r["requests"]]  # logins before the reset show 0
        for row in sorted(rows, key=lambda r: (r["type"] == "JOURNEY", r["name"])):
            lines.append(
                f"| {row['type']} {row['name']} | {row['requests']:,} | {row['failures']} | {_fmt(row['p50_ms'])} "
                f"| {_fmt(row['p95_ms'])} | {_fmt(row['p99_ms'])} | {row['rps']:.2f} |"
            )
        if done or key == "mixed":
            lines += ["", f"Whole patient journeys completed: {done} ({rate:.3f} per second)."]
        if phase.get("emails_sent"):
            lines += ["", f"Emails handed to the local SMTP server: {phase['emails_sent']}."]
        if phase.get("messages"):
            states = ", ".join(f"{k}: {v}" for k, v in sorted(phase["messages"].items()))
            lines += [
                "",
                f"Message log after the phase (the task worker sent them; the mail server took "
                f"{phase.get('smtp_delay_s', 0):g} s per message): {states}.",
            ]
        if phase.get("not_available"):
            lines += ["", "Not available yet (skipped): " + ", ".join(f"`{n}`" for n in phase["not_available"]) + "."]
        if phase.get("failures"):
            lines += ["", "Errors:"] + [
                f"- {f['count']} x {f['method']} {f['name']}: {f['error']}" for f in phase["failures"]
            ]
        if phase.get("load_average"):
            before, after = phase["load_average"]["before"], phase["load_average"]["after"]
            lines += ["", f"Machine load average (1/5/15 min): {before} before, {after} after."]
        if phase.get("server"):
            lines += [
                "",
                "Inside the workers (gunicorn access log: time in the worker and the worker's own CPU time; "
                "the CPU time does not grow when other processes compete for the cores):",
                "",
                "| route | requests | 5xx | wall p50 | wall p95 | CPU p50 | CPU p95 | CPU mean |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for row in phase["server"]:
                lines.append(
                    f"| {row['method']} {row['route']} | {row['requests']:,} | {row['errors']} "
                    f"| {_fmt(row['wall_p50_ms'])} | {_fmt(row['wall_p95_ms'])} | {_fmt(row['cpu_p50_ms'])} "
                    f"| {_fmt(row['cpu_p95_ms'])} | {_fmt(row['cpu_mean_ms'])} |"
                )
        profile = phase.get("profile")
        if profile:
            lines += ["", f"Where the workers' CPU went (py-spy, {profile['samples']:,} samples):", ""]
            lines += [f"- {kind}: {pct}%" for kind, pct in profile["by_kind_pct"].items()]
            lines += [
                "",
                "Busiest functions (self time): "
                + "; ".join(f"`{name}` {pct}%" for name, pct in list(profile["top_self_pct"].items())[:8])
                + ".",
            ]
        memory = phase.get("memory", {})
        if memory.get("peak_rss_mb_per_worker"):
            lines += [
                "",
                f"Worker memory (RSS, MB): peak {memory['peak_rss_mb_per_worker']}, after the run "
                f"{memory['after_run_rss_mb_per_worker']} ({memory['workers_seen']} worker processes seen).",
            ]
    inproc = result.get("inprocess", {})
    pdf = inproc.get("pdf", {})
    lines += ["", "## Consent PDF (in-process, same HTML)", ""]
    if "render" in pdf:
        lines += [
            "| step | CPU median | CPU p95 | wall median | wall p95 | runs |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, key in (
            ("portal render (context + template + WeasyPrint)", "render"),
            ("bare WeasyPrint, same HTML", "bare_weasyprint"),
            ("clinic seal (pyHanko PAdES)", "seal"),
        ):
            row = pdf[key]
            lines.append(
                f"| {label} | {_fmt(row['cpu']['median_ms'])} | {_fmt(row['cpu']['p95_ms'])} "
                f"| {_fmt(row['median_ms'])} | {_fmt(row['p95_ms'])} | {row['n']} |"
            )
        lines += [
            "",
            f"Ratio portal / bare (CPU medians): {pdf['ratio_render_vs_bare']:.2f}x (render), "
            f"{pdf['ratio_render_and_seal_vs_bare']:.2f}x (render + seal); by wall time "
            f"{pdf['ratio_wall_render_vs_bare']:.2f}x. PDF {pdf['pdf_bytes']:,} bytes.",
        ]
    else:
        lines.append(f"Not measured: {pdf.get('error', 'not available')}.")
    queries = inproc.get("queries", {})
    lines += ["", "## Queries per request (in-process, CaptureQueriesContext, same database)", ""]
    if isinstance(queries, dict) and "error" not in queries:
        lines += ["| page | status | queries | time |", "| --- | ---: | ---: | ---: |"]
        for label, row in queries.items():
            if "queries" in row:
                lines.append(f"| {label} | {row['status']} | {row['queries']} | {_fmt(row['ms'])} |")
            else:
                lines.append(f"| {label} | | {row.get('error', '')} | |")
    else:
        lines.append(f"Not measured: {queries.get('error') if isinstance(queries, dict) else queries}.")
    counts = result.get("datasets", {}).get(str(s["patients"]), {}).get("counts", {})
    if counts:
        lines += ["", "## Data set", "", ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())) + "."]
    return "\n".join(lines) + "\n"


def chart(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = []
    for key, phase in result.get("phases", {}).items():
        for row in phase.get("endpoints", []):
            if row["type"] != "JOURNEY" and row["requests"] and row["p95_ms"] is not None:
                rows.append((f"{row['name']} [{key}]", row["p50_ms"] or 0, row["p95_ms"] or 0, row["p99_ms"] or 0))
    rows.sort(key=lambda r: r[2])
    if not rows:
        return
    height = max(3.0, 0.32 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(11, height))
    y = range(len(rows))
    ax.barh([i + 0.27 for i in y], [r[3] for r in rows], height=0.27, label="p99", color="#c9d6ea")
    ax.barh(list(y), [r[2] for r in rows], height=0.27, label="p95", color="#4a78b5")
    ax.barh([i - 0.27 for i in y], [r[1] for r in rows], height=0.27, label="p50", color="#1b365d")
    ax.set_yticks(list(y))
    ax.set_yticklabels([r[0] for r in rows], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("latency (ms, log scale)")
    for limit, label in ((100, "100 ms"), (150, "150 ms"), (1000, "1 s")):
        ax.axvline(limit, color="#999", linestyle="--", linewidth=0.8)
        ax.text(limit, len(rows) - 0.4, label, fontsize=7, color="#666", ha="left")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"Latency by endpoint, run {result['run']} ({result['machine']['cores']} cores)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(result: dict[str, Any], results_dir: Path) -> list[Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    base = results_dir / result["run"]
    json_path = base.with_suffix(".json")
    md_path = base.with_suffix(".md")
    png_path = base.with_suffix(".png")
    json_path.write_text(json.dumps(result, indent=1, default=str) + "\n")
    md_path.write_text(markdown(result))
    chart(result, png_path)
    return [json_path, md_path, png_path]


if __name__ == "__main__":
    import sys

    # Re-render the Markdown and the chart from a run's JSON: python bench/report.py bench/results/RUN.json
    data = json.loads(Path(sys.argv[1]).read_text())
    data["targets"] = evaluate(data)
    for written in write(data, Path(sys.argv[1]).parent):
        print(written)
