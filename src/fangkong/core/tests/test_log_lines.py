"""The app's own log lines (core.logging, on the root handler): numbers masked
wherever they stand, control characters escaped, so one record is one line."""

import io
import logging

NUMBER = "41061119800101011X"


def rendered(logger_name: str, msg: str, *args) -> str:
    handler = logging.getLogger().handlers[0]
    stream = io.StringIO()
    copy = logging.StreamHandler(stream)
    copy.setFormatter(handler.formatter)
    for f in handler.filters:
        copy.addFilter(f)
    record = logging.getLogger(logger_name).makeRecord(logger_name, logging.WARNING, __file__, 1, msg, args, None)
    copy.handle(record)
    return stream.getvalue()


def test_a_path_with_a_number_and_line_breaks_is_one_masked_line():
    text = rendered("django.request", "Not Found: %s", f"/people/x{NUMBER}/%0A\nforged\r\u2028line 13812341234")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert NUMBER not in text and "13812341234" not in text and "1980010101" not in text
    assert "\\x0aforged\\x0dline" not in text and "\\x0aforged\\x0d\\u2028line" in text


def test_long_digit_runs_glued_to_letters_are_masked_short_ones_kept():
    text = rendered("fangkong.x", "card %s order %s took %sms", "6222021234567890123", "A13812341234", 1234567)
    assert "6222021234567890123" not in text and "13812341234" not in text
    assert "took 1234567ms" in text
