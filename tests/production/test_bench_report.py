"""The benchmark report states the host's speed, so latencies from hosts of different speed are not compared."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from bench.report import markdown

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


def a_kept_run() -> dict:
    return json.loads((RESULTS / "20261207-final8.json").read_text())


def test_the_report_gives_the_hosts_speed_against_the_reference_host():
    run = a_kept_run()
    run["inprocess"]["pdf"]["bare_weasyprint"]["cpu"]["median_ms"] = 500.0

    report = markdown(run)

    assert "the bare WeasyPrint render of the consent took 500 ms of CPU (median), 2.00x the reference" in report
    assert report.index("Host speed:") < report.index("## Targets")


def test_a_run_without_the_in_process_render_has_no_speed_line():
    run = copy.deepcopy(a_kept_run())
    run["inprocess"].pop("pdf")

    assert "Host speed:" not in markdown(run)
