"""Fixtures for the production-stack tests: a free local port and an S3-compatible server (moto)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str
    region: str = "eu-west-1"
    access_key: str = "bench-access-key"
    secret_key: str = "bench-secret-key"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def env(self) -> dict[str, str]:
        """The environment variables that make portal/settings.py store private files here."""
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": self.region,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    """A real S3-compatible HTTP server on a free loopback port, with an empty private bucket."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = S3Server(endpoint_url=f"http://127.0.0.1:{port}", bucket="clinic-private-files")
        s3.client().create_bucket(Bucket=s3.bucket, CreateBucketConfiguration={"LocationConstraint": s3.region})
        yield s3
    finally:
        server.stop()
