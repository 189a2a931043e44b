"""Consent texts as versioned data, one file pair per language: `<key>/<version>/<language>.md` (the body,
Markdown with `## ` headings) and `<language>.json` (title, effective date, the risk table).

The files are the source the clinic's first ConsentVersion rows are seeded from; after that a clinic edits
its text as a new ConsentVersion in the admin. A Spanish text is a new file, not new code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from consent.models import ConsentVersion

ROOT = Path(__file__).resolve().parent
DRY_NEEDLING = "dry-needling"


@dataclass(frozen=True)
class ConsentText:
    key: str
    version: int
    language: str
    title: str
    body: str
    risks: list[dict]
    effective_date: date


def versions(key: str = DRY_NEEDLING) -> list[int]:
    return sorted(int(child.name) for child in (ROOT / key).iterdir() if child.name.isdigit())


def languages(key: str = DRY_NEEDLING, version: int | None = None) -> list[str]:
    folder = ROOT / key / str(version or versions(key)[-1])
    return sorted(path.stem for path in folder.glob("*.md"))


def load(language: str, key: str = DRY_NEEDLING, version: int | None = None) -> ConsentText:
    """One language of one version (the latest by default)."""
    version = version or versions(key)[-1]
    folder = ROOT / key / str(version)
    meta = json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))
    return ConsentText(
        key=key,
        version=version,
        language=language,
        title=meta["title"],
        body=(folder / f"{language}.md").read_text(encoding="utf-8"),
        risks=meta["risks"],
        effective_date=date.fromisoformat(meta["effective_date"]),
    )


def seed(language: str, key: str = DRY_NEEDLING) -> ConsentVersion:
    """Idempotent: the clinic's latest text in this language, created from the data files if it has none."""
    existing = ConsentVersion.objects.filter(key=key, language=language).order_by("-version").first()
    if existing is not None:
        return existing
    text = load(language, key)
    return ConsentVersion.objects.create(
        key=key,
        version=text.version,
        language=language,
        title=text.title,
        body=text.body,
        risks=text.risks,
        effective_date=text.effective_date,
        is_active=True,
    )
