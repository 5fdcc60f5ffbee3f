from django.conf import settings

from sharing.accounts.signup import open_signup, signup_enabled


def site(request) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_ENABLED": signup_enabled(),
        "SIGNUP_OPEN": open_signup(),
        "max_upload": settings.MAX_UPLOAD_BYTES,
    }
