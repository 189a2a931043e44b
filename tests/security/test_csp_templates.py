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
    assert EXTERNAL_RESOURCE.search('<script src="https://cdn.example/x.js">')
    assert EXTERNAL_RESOURCE.search('<img src="//tracker.example/p.gif">')
    assert not EXTERNAL_RESOURCE.search('<img src="/static/x.png">')
    assert EXTERNAL_STYLESHEET.search('<link rel="stylesheet" href="https://cdn.example/b.css">')


EXTERNAL_RESOURCE = re.compile(r"""\s(?:src|data|poster|srcset)\s*=\s*["']\s*(?:https?:)?//""", re.I)
EXTERNAL_STYLESHEET = re.compile(r"""<link[^>]+href\s*=\s*["']\s*(?:https?:)?//""", re.I)


@pytest.mark.django_db
def test_no_rendered_page_carries_inline_code_or_loads_anything_from_elsewhere(clinician, clinic_admin):
    """The same rules on the HTML the pages really send (includes, widgets, crispy forms, inline SVG); and
    no script, style, image or frame from another site (no CDN, no analytics that could see a URL)."""
    from tests.security.world import build_journey, html_pages

    journeys = [
        build_journey(first_name=f"Csp{n}", clinician=clinician, upto=s)
        for n, s in enumerate(["explained", "understood", "checked_in"])
    ]
    offenders, pages = set(), 0
    for journey in journeys:
        for name, html in html_pages(journey, clinic_admin):
            pages += 1
            for rule, pattern in {
                **RULES,
                "external resource": EXTERNAL_RESOURCE,
                "external stylesheet": EXTERNAL_STYLESHEET,
            }.items():
                if pattern.search(html):
                    offenders.add(f"{name}: {rule}")
    assert pages >= 15
    assert not offenders, "\n".join(sorted(offenders))
