import pytest
from django.test import RequestFactory

from portal import audit
from portal.models import AuditEvent, ImmutableRowError


@pytest.mark.django_db
def test_an_event_cannot_be_changed_or_deleted(reception):
    event = audit.record("test.action", actor=reception)
    event.action = "something.else"
    with pytest.raises(ImmutableRowError):
        event.save()
    with pytest.raises(ImmutableRowError):
        event.delete()
    with pytest.raises(ImmutableRowError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(ImmutableRowError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.action"


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.1")
    assert audit.client_ip(request) == "10.0.0.1"


def test_client_ip_takes_the_address_our_proxy_saw_not_a_spoofed_one(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert audit.client_ip(request) == "203.0.113.7"
