from django.conf import settings

from sharing.accounts.signup import open_signup


def site(request) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_ENABLED": settings.SIGNUP_ENABLED,
        "SIGNUP_OPEN": open_signup(),
        "max_upload": settings.MAX_UPLOAD_BYTES,
    }
