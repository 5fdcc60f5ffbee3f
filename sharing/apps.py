from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Notebook sharing"

    def ready(self) -> None:
        from sharing import checks  # noqa: F401  (registers the system checks)
