from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "fangkong.screening"
    label = "screening"
    verbose_name = "排查"

    def ready(self):
        from .services import register_approval_kind

        register_approval_kind()
