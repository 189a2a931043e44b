"""Recipients as staff pages show them: enough to recognise, not enough to copy."""

from __future__ import annotations


def mask_email(address: str) -> str:
    """j***@e***.com: first letter of the name and of the domain, and the top-level domain."""
    local, _, domain = (address or "").partition("@")
    if not local or not domain:
        return "***"
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    return f"{local[0]}***@{host[:1]}***" + (f".{tld}" if tld else "")


def mask_phone(number: str) -> str:
    """+44 **** **12 34: the country code and the last four digits."""
    import phonenumbers

    digits = "".join(ch for ch in number or "" if ch.isdigit())
    if len(digits) < 4:
        return "****"
    try:
        parsed = phonenumbers.parse(number, None)
        country = f"+{parsed.country_code} "
    except phonenumbers.NumberParseException:
        country = ""
    return f"{country}**** **{digits[-4:-2]} {digits[-2:]}"


def mask_recipient(channel: str, recipient: str) -> str:
    return mask_phone(recipient) if channel == "sms" else mask_email(recipient)
