"""A small reader for gettext .po files: enough to check that every message has a translation."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(text.strip() for text in self.msgstr.values()) and "fuzzy" not in self.flags


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header excluded, obsolete (#~) entries marked."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish():
        nonlocal current, started
        if started and current.msgid:
            entries.append(current)
        current, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            if not current.obsolete and started:
                finish()
            current.obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#,"):
            if started:
                finish()
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            if started:
                finish()
            current.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            if started:
                finish()
            current.msgctxt, target, started = _unquote(line[8:]), ("msgctxt", 0), True
        elif line.startswith("msgid_plural "):
            current.msgid_plural, target = _unquote(line[13:]), ("msgid_plural", 0)
        elif line.startswith("msgid "):
            if started and current.msgstr:
                finish()
            current.msgid, target, started = _unquote(line[6:]), ("msgid", 0), True
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            current.msgstr[index], target = _unquote(line[line.index("]") + 1 :]), ("msgstr", index)
        elif line.startswith("msgstr "):
            current.msgstr[0], target = _unquote(line[7:]), ("msgstr", 0)
        elif line.startswith('"') and target is not None:
            name, index = target
            text = _unquote(line)
            if name == "msgstr":
                current.msgstr[index] += text
            elif name == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + text
            else:
                setattr(current, name, getattr(current, name) + text)
    finish()
    return entries


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())
