"""Signals domain apps listen to (messaging imports no domain app)."""

from django.dispatch import Signal

# Sent inside the acknowledging transaction with alert, by, request: intake takes the visit off
# the urgent list and marks its red-flag check-ins seen.
alert_resolved = Signal()
