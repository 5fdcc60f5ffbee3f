import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Notebook sharing"

    def ready(self) -> None:
        from sharing import checks  # noqa: F401  (registers the system checks)
        from sharing.accounts import leavers  # noqa: F401  (deactivation ends sessions, tokens)
        from sharing.accounts.usernames import install_username_rule
        from sharing.audit import signals as audit_signals  # noqa: F401  (sign-in events)
        from sharing.links import RedactShareTokens
        from sharing.pages import generation
        from sharing.search import signals as search_signals
        from sharing.sso import signals  # noqa: F401  (group sync at each single sign-on)

        install_username_rule()
        post_migrate.connect(generation.installed, sender=self)
        search_signals.connect()

        # Share-link tokens are in /l/<token>/ paths: keep them out of request logs.
        for name in ("django.request", "django.server"):
            logging.getLogger(name).addFilter(RedactShareTokens())
