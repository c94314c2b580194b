from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "fangkong.ledgers"
    label = "ledgers"
    verbose_name = "台账"
