"""Appointment import by file: upload, preview row by row, confirm (reception and clinic admin)."""

from django.http import Http404


def upload(request, *args, **kwargs):
    raise Http404


def preview(request, *args, **kwargs):
    raise Http404
