"""The ``STORAGES["default"]`` entry for an S3-compatible bucket (django-storages' S3Storage)."""

from botocore.config import Config


def s3_storage(
    bucket: str,
    *,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    prefix: str = "",
    addressing_style: str = "path",
    connect_timeout: int = 3,
    read_timeout: int = 60,
    max_memory_size: int = 5 * 1024 * 1024,
    **credentials: str,
) -> dict:
    """Private objects, never overwritten, path-style by default; credentials from boto3's
    usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) unless given."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region,
            "location": prefix,
            "file_overwrite": False,  # never replace a stored file (as the local disk behaves)
            "default_acl": None,  # private: downloads go through our permission checks
            "querystring_auth": True,
            "querystring_expire": 60,
            "max_memory_size": max_memory_size,
            "client_config": Config(
                s3={"addressing_style": addressing_style},
                # boto3 1.36+ sends and expects CRC checksums many S3-compatible servers lack.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
            **credentials,
        },
    }
