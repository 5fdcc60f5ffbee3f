"""System checks for dangerous configuration."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_upload_limits(app_configs, **kwargs):
    errors = []
    if settings.MAX_UPLOAD_BYTES <= 0:
        errors.append(
            Error("MAX_UPLOAD_BYTES must be a positive number of bytes.", id="sharing.E001")
        )
    if settings.MAX_NOTEBOOK_CELLS <= 0:
        errors.append(Error("MAX_NOTEBOOK_CELLS must be positive.", id="sharing.E002"))
    if settings.RENDER_TIMEOUT_SECONDS <= 0 or settings.RENDER_MEMORY_LIMIT_MB < 256:
        errors.append(
            Error(
                "RENDER_TIMEOUT_SECONDS must be positive and RENDER_MEMORY_LIMIT_MB at least 256.",
                id="sharing.E003",
            )
        )
    return errors


@register(deploy=True)
def check_csp(app_configs, **kwargs):
    csp = getattr(settings, "SECURE_CSP", {}) or {}
    script_src = " ".join(csp.get("script-src", csp.get("default-src", [])))
    if not csp or "unsafe-inline" in script_src or "unsafe-eval" in script_src:
        return [
            Warning(
                "SECURE_CSP must forbid inline scripts and eval: notebooks are untrusted input.",
                id="sharing.W001",
            )
        ]
    return []
