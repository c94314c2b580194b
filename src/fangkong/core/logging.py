"""Logging filter that keeps personal data out of every log line, and keeps
every log line one line."""

from __future__ import annotations

import logging
import re

from fangkong.lib.masking import mask_numbers

# mask_numbers() finds what reads as an ID number or a mobile; in logs every
# other long digit run is masked too, wherever it stands: 11 digits or more
# (bank cards, numbers typed with a typo), keeping the first 3 and the last 2
# to tell lines apart. Byte counts and durations never reach 11 digits.
_LONG_DIGITS = re.compile(r"(\d{3})\d{6,}(\d{2}[Xx]?)")
# C0 and C1 controls, DEL and the Unicode line/paragraph separators: a "%0A" in
# a URL path must not start a forged log line.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def safe_log_text(text: str) -> str:
    """``text`` with ID-number-, phone- and other long number-like runs masked and
    control characters escaped (``\\x0a``): one line, no personal numbers."""
    text = _LONG_DIGITS.sub(lambda m: m.group(1) + "******" + m.group(2), mask_numbers(text))
    return _CONTROLS.sub(_escape, text)


class RedactPersonalData(logging.Filter):
    """Masks ID-number-like and phone-like digit runs in the rendered message
    (including exception text), whatever logged it, and escapes control
    characters in the message so that one record is one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = safe_log_text(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            import traceback

            text = "".join(traceback.format_exception(*record.exc_info))
            # A traceback keeps its own line breaks; anything else is escaped.
            record.exc_text = "\n".join(safe_log_text(line) for line in text.rstrip("\n").split("\n"))
            record.exc_info = None
        return True
