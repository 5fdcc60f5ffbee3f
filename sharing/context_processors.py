from django.conf import settings


def site(request) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_ENABLED": settings.SIGNUP_ENABLED,
        "max_upload": settings.MAX_UPLOAD_BYTES,
    }
