import pytest

from intake.links.tokens import new_token
from tests.factories import AccessLinkFactory, VisitRecordFactory
from tests.helpers import open_patient_session


def record_visit(visit, *, regions=("lower_back",), treated_at=None, **kwargs):
    """What the staff service does when the clinician records the session."""
    extra = {"treated_at": treated_at} if treated_at is not None else {}
    record = VisitRecordFactory(visit=visit, regions=list(regions), **extra, **kwargs)
    visit.mark("visited_at", record.treated_at)
    return record


@pytest.fixture
def patient_client(client, visit):
    """A browser session that has opened the visit's link and confirmed the date of birth."""
    token = new_token()
    link = AccessLinkFactory(visit=visit, token=token)
    open_patient_session(client, token, link)
    return client
