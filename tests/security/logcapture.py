"""Capture every log record that would reach a handler, at any level, with its arguments and traceback."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    lines: list[str] = []
    real = logging.Logger.callHandlers
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def spy(self, record):
        lines.append(formatter.format(record))
        return real(self, record)

    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    logging.Logger.callHandlers = spy
    try:
        yield lines
    finally:
        logging.Logger.callHandlers = real
        root.setLevel(old_level)
