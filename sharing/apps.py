import logging

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Notebook sharing"

    def ready(self) -> None:
        from sharing import checks  # noqa: F401  (registers the system checks)
        from sharing.accounts import leavers  # noqa: F401  (deactivation ends sessions, tokens)
        from sharing.accounts.usernames import install_username_rule
        from sharing.links import RedactShareTokens
        from sharing.search import signals as search_signals
        from sharing.sso import signals  # noqa: F401  (group sync at each single sign-on)

        install_username_rule()
        search_signals.connect()

        # Share-link tokens are in /l/<token>/ paths: keep them out of request logs.
        for name in ("django.request", "django.server"):
            logging.getLogger(name).addFilter(RedactShareTokens())
