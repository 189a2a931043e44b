"""Copies of a patient's data kept by other apps with no foreign key to the record (docs/records.md).

Destroying a record follows every foreign key (services._erase). A copy with none (an import preview's
rows, a stored API reply, a webhook payload) would outlive the record, so the app that keeps it
registers a Keeper here from its AppConfig.ready (intake imports no such app):

- `expired(now)`: how many copies, by kind, are past their own keeping time (the dry run lists them);
- `clear_expired(now)`: clear those; returns how many, by kind;
- `forget(patient, visit_ids)`: remove this patient's data from every copy, in the destroying
  transaction, before the record goes; returns how many, by kind (counts only, for the tombstone).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Counts = dict[str, int]


@dataclass(frozen=True)
class Keeper:
    name: str
    expired: Callable[[datetime.datetime], Counts]
    clear_expired: Callable[[datetime.datetime], Counts]
    forget: Callable[[Any, list[Any]], Counts]


_keepers: dict[str, Keeper] = {}


def register(keeper: Keeper) -> None:
    _keepers[keeper.name] = keeper  # by name: registering again (a reloaded module) replaces it


def keepers() -> list[Keeper]:
    return [_keepers[name] for name in sorted(_keepers)]
