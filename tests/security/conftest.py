import pytest
from django.test import override_settings


@pytest.fixture
def otp_required():
    """The production rule: every staff account needs a one-time code after its password."""
    with override_settings(STAFF_OTP_REQUIRED=True):
        yield
