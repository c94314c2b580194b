"""The admin speaks the interface's language: every app and every model of
Fangkong has a Chinese name (with its English translation), so /admin/ no
longer lists "Divisions" or "Api tokens"."""

import re

from django.apps import apps
from django.utils import translation
from django.utils.text import camel_case_to_spaces

CJK = re.compile(r"[\u4e00-\u9fff]")


def fangkong_models():
    for config in apps.get_app_configs():
        if config.name.startswith("fangkong."):
            yield config, list(config.get_models())


def test_every_app_and_model_has_a_chinese_name_and_an_english_translation():
    missing = []
    for config, models in fangkong_models():
        with translation.override("zh-hans"):
            if not CJK.search(str(config.verbose_name)):
                missing.append(f"app {config.label}")
        with translation.override("en"):
            if CJK.search(str(config.verbose_name)):
                missing.append(f"app {config.label} (English)")
        for model in models:
            meta = model._meta
            with translation.override("zh-hans"):
                for what in (meta.verbose_name, meta.verbose_name_plural):
                    if not CJK.search(str(what)):
                        missing.append(f"{meta.label}: {what}")
            with translation.override("en"):
                one, many = str(meta.verbose_name), str(meta.verbose_name_plural)
                if CJK.search(one + many) or one == camel_case_to_spaces(model.__name__):
                    missing.append(f"{meta.label} (English): {one} / {many}")
    assert not missing, "\n".join(missing)


def test_the_admin_index_lists_the_models_by_their_chinese_names(client, sysadmin):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(sysadmin)
    html = client.get("/admin/").content.decode()
    assert "行政区划" in html and "API 令牌" in html and "区划" in html
    assert "Divisions" not in html and "Api tokens" not in html
    client.cookies["django_language"] = "en"
    html = client.get("/admin/").content.decode()
    assert "Divisions" in html and "API tokens" in html
