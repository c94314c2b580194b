"""Logging filter that keeps personal data out of every log line."""

from __future__ import annotations

import logging

from fangkong.lib.masking import scrub


class RedactPersonalData(logging.Filter):
    """Masks ID-number-like and phone-like digit runs in the rendered message
    (including exception text), whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            import traceback

            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        return True
