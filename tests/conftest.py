import pytest
from django.utils import translation

from intake.links.tokens import new_token
from portal.roles import Role
from tests.factories import AccessLinkFactory, UserFactory, VisitFactory


@pytest.fixture
def reception(db):
    return UserFactory(username="reception-user", role=Role.RECEPTION)


@pytest.fixture
def clinician(db):
    return UserFactory(username="clinician-user", role=Role.CLINICIAN)


@pytest.fixture
def clinic_admin(db):
    return UserFactory(username="admin-user", role=Role.CLINIC_ADMIN)


@pytest.fixture
def outsider(db):
    """A logged-in account with no role: it must not see anything."""
    return UserFactory(username="outsider-user")


@pytest.fixture
def visit(db):
    return VisitFactory()


@pytest.fixture
def patient_link(visit):
    """A usable link and its token, as a patient would receive it."""
    token = new_token()
    link = AccessLinkFactory(visit=visit, token=token)
    return link, token


@pytest.fixture(autouse=True)
def _no_language_carries_over():
    """Patient views activate the visit's language for the thread; a later test must not inherit it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """The locmem SMS backend's outbox, emptied like django.core.mail.outbox."""
    from messaging import sms

    sms.outbox.clear()
    yield
    sms.outbox.clear()
