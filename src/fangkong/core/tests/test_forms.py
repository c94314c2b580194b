"""core.forms.FixedChoiceField: form instances share the choices fixed in code
and still behave like separate fields."""

from django import forms

from fangkong.core.forms import FixedChoiceField

CHOICES = [("a", "甲"), ("b", "乙"), ("", "无")]


class Form(forms.Form):
    kind = FixedChoiceField(choices=CHOICES, required=False)
    shown = FixedChoiceField(choices=CHOICES, widget=forms.RadioSelect)


def test_instances_share_the_choices_but_not_the_field_or_widget():
    one, two = Form(), Form()
    assert one.fields["kind"] is not two.fields["kind"]
    assert one.fields["kind"].widget is not two.fields["kind"].widget
    assert one.fields["kind"].choices is two.fields["kind"].choices
    assert one.fields["kind"].widget.choices is Form.base_fields["kind"].widget.choices


def test_reassigning_choices_or_attrs_on_one_form_leaves_the_others_alone():
    one = Form()
    one.fields["kind"].choices = [("z", "丙")]
    one.fields["kind"].widget.attrs["class"] = "big"
    two = Form()
    assert two.fields["kind"].choices == CHOICES
    assert [c[0] for c in two.fields["kind"].widget.choices] == ["a", "b", ""]
    assert "class" not in two.fields["kind"].widget.attrs
    assert Form(data={"kind": "z", "shown": "a"}).is_valid() is False  # z is only one's
    assert one.fields["kind"].clean("z") == "z"


def test_validation_and_rendering_work_as_for_a_choice_field():
    form = Form(data={"kind": "b", "shown": "zzz"})
    assert not form.is_valid()
    assert list(form.errors) == ["shown"]
    assert form.cleaned_data["kind"] == "b"
    html = str(form["kind"])
    assert '<option value="b" selected>乙</option>' in html
    assert 'value="a"' in str(form["shown"]) and 'type="radio"' in str(form["shown"])
