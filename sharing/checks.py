"""System checks for dangerous configuration."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from sharing.ratelimit import parse_rate, setting_names
from sharing.rendering import mathml_katex


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


@register()
def check_share_link_settings(app_configs, **kwargs):
    errors = []
    if settings.SHARE_LINK_MAX_DAYS < 1 or settings.SHARE_LINK_RETENTION_DAYS < 0:
        errors.append(
            Error(
                "SHARE_LINK_MAX_DAYS must be at least 1 and SHARE_LINK_RETENTION_DAYS at least 0.",
                id="sharing.E020",
            )
        )
    for name in setting_names():
        try:
            parse_rate(getattr(settings, name))
        except ValueError:
            errors.append(
                Error(f"{name} must look like 10/m (count/period s, m, h, d).", id="sharing.E021")
            )
    return errors


@register(deploy=True)
def check_proxy_settings(app_configs, **kwargs):
    """Behind a proxy (it sends X-Forwarded-Proto), limits must read X-Forwarded-For."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and settings.RATE_LIMIT_PROXIES == 0:
        return [
            Warning(
                "USE_X_FORWARDED_PROTO is on but RATE_LIMIT_PROXIES=0: every client behind the "
                "proxy shares one address's rate limits.",
                hint="Set RATE_LIMIT_PROXIES to the number of your reverse proxies.",
                id="sharing.W002",
            )
        ]
    return []


@register()
def check_math_renderer(app_configs, **kwargs):
    if mathml_katex.node_binary() and mathml_katex.katex_installed():
        return []
    return [
        Warning(
            "Node.js or the pinned KaTeX is missing: math is converted by latex2mathml, which "
            "misses multi-line math, eqnarray and macros.",
            hint="Run `make katex` (npm ci) on this machine; see docs/rendering.md.",
            id="sharing.W010",
        )
    ]
