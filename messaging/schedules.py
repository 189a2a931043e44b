"""Scheduled jobs: domain apps register them (in AppConfig.ready); `run_schedules` runs them all.

Each job takes `now` and returns how many things it queued. Every job must be idempotent (safe to run
every minute, twice at once, or late): they queue messages with idempotency keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger(__name__)

Job = Callable[[datetime], int]
_jobs: dict[str, Job] = {}


def register(name: str) -> Callable[[Job], Job]:
    def decorator(job: Job) -> Job:
        _jobs[name] = job
        return job

    return decorator


def registered() -> dict[str, Job]:
    return dict(_jobs)


def run_all(*, now: datetime | None = None) -> tuple[dict[str, int], list[str]]:
    """Run every job; one that fails does not stop the others. Returns counts and the failed names."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    failed: list[str] = []
    for name, job in sorted(_jobs.items()):
        try:
            counts[name] = job(now)
        except Exception:
            logger.exception("schedule %s failed", name)
            failed.append(name)
    return counts, failed


@register("messaging.rescue")
def _rescue(now: datetime) -> int:
    from messaging.services import rescue_messages

    return rescue_messages(now=now)


@register("messaging.escalate_alerts")
def _escalate(now: datetime) -> int:
    from messaging.services import escalate_due_alerts

    return escalate_due_alerts(now=now)
