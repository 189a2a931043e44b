"""The Content Security Policy forbids inline code, so no template may carry any: no <script> with a
body, no <style> block, no style="" attribute, no on*="" handler, no javascript: URL.

Templates that never reach a browser under the policy are exempt: email bodies (mail clients ignore
CSP and need inline styles) and PDF layouts (WeasyPrint reads <style>)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

EXEMPT_PARTS = {"email", "pdf"}
RULES = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>\s*[^<\s]", re.I),
    "<style> block": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"""\sstyle\s*=\s*["'{]""", re.I),
    "event handler attribute": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I),
    "javascript: URL": re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I),
}


def _templates():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [p / "templates" for p in (settings.BASE_DIR / app for app in ("portal", "intake", "consent"))]
    for root in roots:
        if root.is_dir():
            for path in root.rglob("*.html"):
                if not EXEMPT_PARTS & set(path.relative_to(root).parts):
                    yield root, path


def test_no_template_carries_inline_script_or_style():
    offenders = []
    checked = 0
    for root, path in _templates():
        checked += 1
        text = path.read_text(encoding="utf-8")
        for rule, pattern in RULES.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(root)}:{line}: {rule}")
    assert checked > 10
    assert not offenders, "\n".join(offenders)


def test_the_rules_catch_what_they_should():
    assert RULES["inline <script>"].search("<script>alert(1)</script>")
    assert not RULES["inline <script>"].search('<script src="/static/js/x.js"></script>')
    assert RULES["style attribute"].search('<p style="color:red">')
    assert RULES["event handler attribute"].search('<a onclick="go()">')
    assert RULES["<style> block"].search("<style>p{}</style>")


@pytest.mark.django_db
def test_no_rendered_page_carries_inline_script_or_style(clinician, clinic_admin):
    """The same rules on the HTML the pages really send (includes, widgets, crispy forms, inline SVG)."""
    from django.test import Client
    from django.urls import reverse

    from tests.helpers import open_patient_session
    from tests.security.world import NON_ID_KWARGS, all_routes, build_journey

    journeys = [
        build_journey(first_name=f"Csp{n}", clinician=clinician, upto=s)
        for n, s in enumerate(["explained", "understood", "checked_in"])
    ]
    offenders, pages = set(), 0
    for journey in journeys:
        patient = Client()
        open_patient_session(patient, journey.token, journey.link)
        staff = Client()
        staff.force_login(clinic_admin)
        for route in all_routes():
            if not (route.is_patient or route.is_staff) or route.name == "staff:kiosk_start":
                continue
            kwargs = {}
            for name in route.kwargs:
                kwargs[name] = journey.ids.get(name) or (NON_ID_KWARGS[name]()[0] if name in NON_ID_KWARGS else None)
            if None in kwargs.values():
                continue
            response = (patient if route.is_patient else staff).get(reverse(route.name, kwargs=kwargs))
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            pages += 1
            html = response.content.decode()
            for rule, pattern in RULES.items():
                if pattern.search(html):
                    offenders.add(f"{route.name}: {rule}")
    assert pages >= 15
    assert not offenders, "\n".join(sorted(offenders))
