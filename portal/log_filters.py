"""Logging filters: nothing that opens a patient's data may reach a log line.

Django logs the path of a failing request ("Internal Server Error: /p/<token>/"); a patient link's
path is the key to that patient's visit, so every record passes through RedactPatientTokens first.
"""

from __future__ import annotations

import logging
import re

# A link's token (/p/<token>/) or a message's signed reference to it (/p/r/<uuid>.<time>.<mac>/).
TOKEN_PATH = re.compile(r"/p/(?:r/)?[A-Za-z0-9_.\-]{8,}")


def redact(text: str) -> str:
    return TOKEN_PATH.sub("/p/[redacted]", text)


class RedactPatientTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/p/" in message:
            record.msg = redact(message)
            record.args = None
        return True
