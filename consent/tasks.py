"""Background work for consent: the timestamp a seal could not get while the TSA was unreachable."""

from __future__ import annotations

from django_tasks import task


@task()
def timestamp_consent(record_id: str) -> int:
    """Queued at signing when the seal stayed B-B; `renew_archive_timestamps` retries whatever is left."""
    from consent.services import timestamp_pending

    return timestamp_pending(record_ids=[record_id])
