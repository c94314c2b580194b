"""core.batch: one table of messages for request-shape (pydantic) errors, the
same for a whole request (fangkong.api) and for one item of an offline batch,
and one per-item result for both apps' batches."""

import pydantic
from django.utils import translation

from fangkong.core.batch import (
    CREATED,
    ERROR,
    BatchResult,
    batch_parse,
    item_errors,
    schema_message,
)


class Item(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    name: str = pydantic.Field(max_length=3)
    count: int = pydantic.Field(ge=1)
    client_key: str = ""


def _errors(raw):
    try:
        Item.model_validate(raw)
    except pydantic.ValidationError as exc:
        return exc
    raise AssertionError("valid")


def test_a_batch_item_gets_the_same_messages_as_a_request():
    exc = _errors({"name": "abcd", "count": 0, "colour": "red"})
    assert item_errors(exc) == {"name": ["不能超过3个字。"], "count": ["不能小于1。"], "colour": ["没有这个字段。"]}
    assert [schema_message(e) for e in exc.errors()] == ["不能超过3个字。", "不能小于1。", "没有这个字段。"]
    assert item_errors(_errors({"count": 1})) == {"name": ["必须填写。"]}


def test_the_messages_follow_the_language():
    with translation.override("en"):
        assert item_errors(_errors({"count": 1})) != {"name": ["必须填写。"]}


def test_batch_parse_keeps_the_good_and_reports_the_malformed():
    good, malformed = batch_parse(
        [{"name": "ab", "count": 2}, "x", {"name": "abcd", "count": 1, "client_key": "k"}], Item
    )
    assert [i for i, _item in good] == [0]
    assert malformed == {1: ("", {"__all__": ["应为 JSON 对象。"]}), 2: ("k", {"name": ["不能超过3个字。"]})}


def test_a_result_names_what_it_wrote_or_why_not():
    done = BatchResult(0, "k-0", CREATED, record="row")
    failed = BatchResult(1, "k-1", ERROR, errors={"temperature": ["请填写体温。"]})
    assert (done.record, done.errors, done.related) == ("row", None, None)
    assert failed.record is None and failed.errors == {"temperature": ["请填写体温。"]}
