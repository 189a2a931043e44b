from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from intake.links.services import issue_link
from intake.links.tokens import TOKEN_BYTES, hash_token
from intake.models import AccessLink
from tests.factories import AccessLinkFactory


@pytest.mark.django_db
def test_only_the_hash_of_the_token_is_stored(visit):
    link, token = issue_link(visit=visit)
    stored = AccessLink.objects.filter(pk=link.pk).values()[0]
    assert token not in str(stored)
    assert stored["token_hash"] == hash_token(token)
    assert TOKEN_BYTES * 8 >= 128


@pytest.mark.django_db
def test_a_usable_link_opens(client, patient_link):
    _, token = patient_link
    assert client.get(f"/p/{token}/").status_code == 200


def _assert_same_invalid_page(response, reference):
    assert response.status_code == 404
    assert response.content == reference.content


@pytest.mark.django_db
def test_tampered_expired_and_revoked_tokens_get_the_same_404_page(client, patient_link):
    link, token = patient_link
    unknown = client.get("/p/this-token-does-not-exist/")
    assert unknown.status_code == 404
    assert b"contact the clinic" in unknown.content

    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    _assert_same_invalid_page(client.get(f"/p/{tampered}/"), unknown)

    with time_machine.travel(link.expires_at + timedelta(seconds=1)):
        _assert_same_invalid_page(client.get(f"/p/{token}/"), unknown)
    with time_machine.travel(link.expires_at - timedelta(seconds=1)):
        assert client.get(f"/p/{token}/").status_code == 200

    AccessLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    _assert_same_invalid_page(client.get(f"/p/{token}/"), unknown)


@pytest.mark.django_db
def test_reissuing_revokes_the_old_link(client, visit):
    _, old_token = issue_link(visit=visit)
    _, new_token = issue_link(visit=visit)
    assert client.get(f"/p/{old_token}/").status_code == 404
    assert client.get(f"/p/{new_token}/").status_code == 200
    assert visit.access_links.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_database_allows_only_one_active_link_per_visit(visit):
    AccessLinkFactory(visit=visit)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLinkFactory(visit=visit)


@pytest.mark.django_db
def test_a_link_cannot_expire_before_it_was_created(visit):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLinkFactory(visit=visit, expires_at=timezone.now() - timedelta(days=1))
