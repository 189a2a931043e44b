import pytest

from messaging.masking import mask_email, mask_phone


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("jane.doe@example.com", "j***@e***.com"),
        ("j@e.co.uk", "j***@e***.uk"),
        ("x@localhost", "x***@l***"),
        ("broken", "***"),
    ],
)
def test_an_email_shows_only_its_first_letters_and_top_level_domain(address, shown):
    assert mask_email(address) == shown


@pytest.mark.parametrize(
    ("number", "shown"),
    [("+447700901234", "+44 **** **12 34"), ("+12015550123", "+1 **** **01 23"), ("12", "****")],
)
def test_a_phone_shows_only_its_country_and_last_four_digits(number, shown):
    assert mask_phone(number) == shown
