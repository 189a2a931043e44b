"""Read the forms on a page and fill them in, as a browser (or an attacker) would.

Used by the walks over every page: the audit walk finds the form behind each POST-only URL, the
hostile-input tests fill every text field with payloads, and the log test answers the journey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    required: bool = False
    attrs: dict = field(default_factory=dict)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    @property
    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind in ("text", "textarea", "email", "tel", "search", "url", "")]

    def fill(self, text: str = "Plain answer", *, pick: int = 0, dob: date | None = None) -> dict:
        """Values for every field: `text` in free-text fields, the `pick`-th choice elsewhere."""
        data: dict[str, list[str]] = {}
        radios: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("submit", "button", "image", "reset", "file"):
                continue
            if f.kind == "hidden":
                data.setdefault(f.name, []).append(f.value)
            elif f.kind == "radio":
                radios.setdefault(f.name, []).append(f.value)
            elif f.kind == "checkbox":
                data.setdefault(f.name, []).append(f.value or "on")
            elif f.kind == "select":
                choices = [o for o in f.options if o] or f.options
                if choices:
                    data.setdefault(f.name, []).append(choices[pick % len(choices)])
            elif f.kind == "date":
                data.setdefault(f.name, []).append((dob or date(1985, 3, 14)).isoformat())
            elif f.kind in ("number", "range"):
                low = int(float(f.attrs.get("min") or 0))
                high = int(float(f.attrs.get("max") or low + 5))
                data.setdefault(f.name, []).append(str(min(high, low + pick)))
            elif f.kind == "email":
                data.setdefault(f.name, []).append("someone@example.com")
            elif f.kind == "tel":
                data.setdefault(f.name, []).append("+1 201 555 0142")
            else:
                data.setdefault(f.name, []).append(text)
        for name, values in radios.items():
            data[name] = [values[pick % len(values)]]
        return data


class _Parser(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=urljoin(self.base, a.get("action") or self.base), method=(a.get("method") or "get").lower()
            )
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            self._form.fields.append(
                Field(
                    name,
                    (a.get("type") or "text").lower(),
                    a.get("value", ""),
                    checked="checked" in a,
                    required="required" in a,
                    attrs=a,
                )
            )
        elif tag == "button" and name:
            self._form.fields.append(Field(name, "submit", a.get("value", "")))
        elif tag == "select" and name:
            self._select = Field(name, "select", required="required" in a, attrs=a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", attrs=a)
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html: str, url: str) -> list[Form]:
    parser = _Parser(url)
    parser.feed(html)
    return parser.forms


def path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
