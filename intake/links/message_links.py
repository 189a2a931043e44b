"""Links inside messages: a short signed reference to the visit's current link, made at send time.

A message never holds a link token: the token exists only as its hash, and the log must never show
one. Instead the message's text is made when it is sent, with `/p/r/<reference>/`: a signed reference
(portal.signed_refs) to the visit's current AccessLink. Opening it leads to the same date-of-birth
gate as the link itself (same attempt counter, same lock), and it works only while that link is
usable: revoking or replacing the link ends it. A reminder's reference also expires after
REMINDER_LINK_HOURS; a link email's lives as long as the link. Nothing is issued or revoked, so the
printed QR code and any open session keep working.
"""

from __future__ import annotations

from django.conf import settings

from intake.models import AccessLink, Visit
from portal import signed_refs

LINK = "link"  # the link email or text from reception: lives as long as the link
REMINDER = "reminder"  # reminders: short-lived


def current_link(visit: Visit) -> AccessLink | None:
    """The visit's one usable link (at most one is not revoked), or None."""
    return AccessLink.objects.usable().filter(visit=visit).first()


def message_url(link: AccessLink, *, purpose: str) -> str:
    return f"{settings.SITE_URL}/p/r/{signed_refs.make(link.pk, purpose=purpose)}/"


def link_for_reference(reference: str) -> AccessLink | None:
    """The usable link a reference names, if the reference is genuine and not expired; else None."""
    ages = {REMINDER: settings.REMINDER_LINK_HOURS * 3600, LINK: None}
    for purpose, max_age in ages.items():
        link_id = signed_refs.read(reference, purpose=purpose, max_age=max_age)
        if link_id is not None:
            return AccessLink.objects.usable().select_related("visit__patient").filter(pk=link_id).first()
    return None
