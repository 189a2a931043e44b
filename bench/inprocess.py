"""In-process measurements against the benchmark database: queries per page and the PDF path's timings.

    python bench/inprocess.py --dataset bench/work/RUN/dataset-20000.json --out bench/work/RUN/inprocess.json

Queries: Django's test client requests each main page once to warm up, then again inside
CaptureQueriesContext; the count is the number of SQL statements the page ran.

PDF: for one consent record, the portal's path (consent.documents.render_consent_pdf: the context from the
database, the template, WeasyPrint with the portal's static-only URL fetcher), the clinic seal
(consent.sealing.seal_pdf), and bare WeasyPrint rendering the very same HTML with its stock URL fetcher
(static links rewritten to file:// paths so it styles the page the same). Each is timed --repeat times,
interleaved; the medians of CPU time give the ratio (portal / bare), wall times are kept beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "min_ms": round(min(values) * 1000, 1),
        "n": len(values),
    }


def login(client, account: dict[str, Any]) -> bool:
    """Log a reserved bench account in through the real pages (password, then the one-time code)."""
    from datagen import totp_now

    response = client.post("/accounts/login/", {"username": account["username"], "password": account["password"]})
    if response.status_code != 302:
        return False
    location = response.headers.get("Location", "")
    if "/otp" in location and account.get("totp_key"):
        response = client.post(location, {"code": totp_now(account["totp_key"])})
        if response.status_code != 302:
            return False
    return client.get("/staff/").status_code == 200


def count_queries(client, path: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches (templates, content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    return {"status": response.status_code, "queries": len(captured.captured_queries), "ms": round(elapsed * 1000, 1)}


def measure_queries(dataset: dict[str, Any]) -> dict[str, Any]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    results: dict[str, Any] = {}
    reserved = {a["role"]: a for a in dataset["staff"] if a.get("reserved")}
    sample = dataset["sample"]

    def url(name, *args, query: str = ""):
        try:
            return reverse(name, args=args) + query
        except NoReverseMatch:
            return None

    for role in ("Reception", "Clinician"):
        client = Client()
        if role not in reserved or not login(client, reserved[role]):
            results[f"{role.lower()} login"] = {"error": "could not log in"}
            continue
        pages = {
            "Reception": [
                ("staff board", url("staff:board")),
                ("staff board, page 2", url("staff:board", query="?page=2")),
                ("staff search: name", url("staff:board", query=f"?q={sample['searches'][0]['name']}")),
                ("staff search: date of birth", url("staff:board", query=f"?q={sample['searches'][1]['dob']}")),
                ("staff search: phone", url("staff:board", query=f"?q={sample['searches'][2]['phone']}")),
                ("staff patient record", url("staff:patient", sample["patients"][0]) if sample["patients"] else None),
            ],
            "Clinician": [
                ("staff review queue", url("staff:review")),
                ("staff outcomes page", url("staff:outcomes")),
                ("staff patient record (clinician)", url("staff:patient", sample["patients"][1])),
                ("staff visit review", url("staff:visit_review", sample["visits"][0]) if sample["visits"] else None),
                ("staff consent detail", url("consent_staff:detail", sample["consents"][0])),
            ],
        }[role]
        for label, path in pages:
            results[label] = count_queries(client, path) if path else {"error": "not available"}

    # Patient pages: open a fresh journey link through the date-of-birth check, then count each page.
    journey = dataset["journeys"][-1]
    client = Client()
    entry = f"/p/{journey['token']}/"
    results["patient link (DOB form)"] = count_queries(client, entry)
    response = client.post(entry, {"date_of_birth": journey["dob"]})
    if response.status_code != 302:
        results["patient DOB confirmed"] = {"error": f"status {response.status_code}"}
        return results
    for label, name in [
        ("patient progress", "journey:progress"),
        ("patient explanation", "journey:explanation"),
        ("patient before your visit", "journey:before-visit"),
    ]:
        path = url(name)
        results[label] = count_queries(client, path) if path else {"error": "not available"}

    # Later steps only open once the earlier ones are done: a visit of the data set that has reached
    # the step before gets a fresh link (as reception would re-issue one) for each of them.
    for label, name, reached in [
        ("patient screening section", "journey:screening", "explained"),
        ("patient understanding check", "journey:understanding", "screened"),
        ("patient consent page", "consent:sign", "understood"),
        ("patient aftercare", "aftercare:home", "visited"),
    ]:
        path = url(name)
        if path is None:
            results[label] = {"error": "not available"}
            continue
        client = patient_client_at(reached)
        if client is None:
            results[label] = {"error": f"no visit at {reached}"}
            continue
        first = client.get(path)
        if first.status_code == 302 and first.headers.get("Location", "").startswith(path):
            path = first.headers["Location"]  # the step's first page (a screening section)
        results[label] = count_queries(client, path)
    return results


def patient_client_at(progress: str):
    """A test client with a patient session on a visit of the data set that has reached `progress`."""
    from django.test import Client

    from intake.links.services import issue_link
    from intake.models import Visit

    visit = (
        Visit.objects.filter(progress=progress, scheduled_at__gt=timezone_now(), consents__isnull=True)
        .select_related("patient")
        .first()
        or Visit.objects.filter(progress=progress).select_related("patient").first()
    )
    if visit is None:
        return None
    _link, token = issue_link(visit=visit)
    client = Client()
    response = client.post(f"/p/{token}/", {"date_of_birth": visit.patient.date_of_birth.isoformat()})
    return client if response.status_code == 302 else None


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def measure_pdf(repeat: int) -> dict[str, Any]:
    from django.conf import settings
    from django.template.loader import render_to_string
    from weasyprint import HTML

    try:
        from consent import documents, sealing
        from consent.models import ConsentRecord
    except ImportError as exc:
        return {"error": f"not available ({exc})"}

    record = (
        ConsentRecord.objects.select_related("visit__patient", "consent_version").exclude(signature_png=None).first()
        or ConsentRecord.objects.select_related("visit__patient", "consent_version").first()
    )
    if record is None:
        return {"error": "no consent record in the database"}

    context = documents.consent_context(record)
    clinic = {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "phone": settings.CLINIC_PHONE,
        "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
    }
    html = render_to_string(documents.PDF_TEMPLATE, {"clinic": clinic, **context})
    static_dir = Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"
    bare_html = html.replace('"' + settings.STATIC_URL, '"' + static_dir)

    def portal_render():
        return documents.render_consent_pdf(record)

    def bare_render():
        return HTML(string=bare_html, base_url=static_dir).write_pdf()

    # Warm up both paths (fonts, caches) before timing.
    pdf = portal_render()
    bare_pdf = bare_render()
    sealing.seal_pdf(pdf, reason="benchmark")
    # Wall time and this process's CPU time for each; on a busy machine the CPU time is the fair one.
    times: dict[str, tuple[list[float], list[float]]] = {"render": ([], []), "bare": ([], []), "seal": ([], [])}

    def timed(key, func):
        wall, cpu = time.perf_counter(), time.process_time()
        value = func()
        times[key][0].append(time.perf_counter() - wall)
        times[key][1].append(time.process_time() - cpu)
        return value

    for _ in range(repeat):
        pdf = timed("render", portal_render)
        timed("bare", bare_render)
        timed("seal", lambda pdf=pdf: sealing.seal_pdf(pdf, reason="benchmark"))
    portal, bare, seal = (
        {**summary_ms(times[key][0]), "cpu": summary_ms(times[key][1])} for key in ("render", "bare", "seal")
    )
    return {
        "render": portal,
        "bare_weasyprint": bare,
        "seal": seal,
        "ratio_render_vs_bare": round(portal["cpu"]["median_ms"] / bare["cpu"]["median_ms"], 2),
        "ratio_render_and_seal_vs_bare": round(
            (portal["cpu"]["median_ms"] + seal["cpu"]["median_ms"]) / bare["cpu"]["median_ms"], 2
        ),
        "ratio_wall_render_vs_bare": round(portal["median_ms"] / bare["median_ms"], 2),
        "pdf_bytes": len(pdf),
        "bare_pdf_bytes": len(bare_pdf),
        "pages_html_chars": len(html),
    }


def profile_pdf(out: Path) -> str | None:
    """A pyinstrument profile of one portal render, to see where the time goes (optional)."""
    try:
        from pyinstrument import Profiler

        from consent import documents
        from consent.models import ConsentRecord
    except ImportError:
        return None
    record = ConsentRecord.objects.first()
    if record is None:
        return None
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(3):
        documents.render_consent_pdf(record)
    profiler.stop()
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return str(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=12)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    dataset = json.loads(args.dataset.read_text())
    result: dict[str, Any] = {}
    for key, func in (("queries", lambda: measure_queries(dataset)), ("pdf", lambda: measure_pdf(args.repeat))):
        try:
            result[key] = func()
        except Exception as exc:  # a page that is not there yet must not stop the benchmark
            result[key] = {"error": f"{exc.__class__.__name__}: {exc}"}
            traceback.print_exc(file=sys.stderr)
    if args.profile:
        try:
            result["pdf_profile"] = profile_pdf(args.profile)
        except Exception as exc:
            result["pdf_profile"] = f"failed: {exc}"
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
