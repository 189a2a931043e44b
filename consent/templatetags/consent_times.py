"""Times on staff consent pages follow the documents' rule: clinic time, with the signer's zone beside."""

from django import template

from consent.documents import format_time

register = template.Library()


@register.filter
def clinic_time(moment, signer_zone: str = "") -> str:
    return format_time(moment, signer_zone)
