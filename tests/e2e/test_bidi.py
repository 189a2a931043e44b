"""A right-to-left override typed into a name cannot reverse the phone number shown after it."""

import pytest
from django.contrib.auth.models import Group

from intake.models import Patient
from portal.roles import Role
from tests.e2e.test_staff import log_in
from tests.factories import PatientFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)

RLO = "\u202e"
PHONE = "555 0456"

# Left edges of each visible character of `text` where it first appears on the page, in reading order.
CHAR_LEFTS = """(text) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const lefts = [];
    for (let k = 0; k < text.length; k++) {
      if (text[k] === " ") continue;
      const range = document.createRange();
      range.setStart(node, at + k);
      range.setEnd(node, at + k + 1);
      lefts.push(range.getBoundingClientRect().left);
    }
    return lefts;
  }
  return null;
}"""


@pytest.fixture(autouse=True)
def roles(transactional_db):
    from portal.roles import sync_role_permissions

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    sync_role_permissions()


def test_the_emergency_contacts_phone_reads_left_to_right_after_an_override_in_the_name(live_server, desktop, snap):
    clinician = UserFactory(username="bidi-clinician", role=Role.CLINICIAN)
    patient = PatientFactory(emergency_contact_name=f"Jo {RLO}Example", emergency_contact_phone=PHONE)
    assert RLO not in Patient.objects.get(pk=patient.pk).emergency_contact_name  # stripped when saved
    VisitFactory(patient=patient, clinician=clinician)
    # A row written before the fix (or around the model) still carries it: the page must isolate it.
    Patient.objects.filter(pk=patient.pk).update(
        emergency_contact_name=f"Jo {RLO}Example", emergency_contact_relationship=f"{RLO}Partner"
    )

    log_in(desktop, live_server.url, clinician.username)
    desktop.goto(f"{live_server.url}/staff/patients/{patient.pk}/")
    snap(desktop, "record")
    lefts = desktop.evaluate(CHAR_LEFTS, PHONE)
    assert lefts is not None, "the phone number should be on the record"
    assert lefts == sorted(lefts), f"digits drawn out of order: {lefts}"
    assert RLO not in desktop.content()
