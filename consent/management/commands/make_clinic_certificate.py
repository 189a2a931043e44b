"""Create a self-signed certificate and key for sealing consent PDFs (demo, tests, a first laptop run)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consent.sealing import cert_paths, make_self_signed_certificate


class Command(BaseCommand):
    help = (
        "Write a self-signed clinic certificate and key (PEM) for sealing consent PDFs, at the paths in "
        "CLINIC_SIGNING_CERT_PATH / CLINIC_SIGNING_KEY_PATH unless given. Production uses a real certificate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cert", help="where to write the certificate (default: CLINIC_SIGNING_CERT_PATH)")
        parser.add_argument("--key", help="where to write the private key (default: CLINIC_SIGNING_KEY_PATH)")
        parser.add_argument("--common-name", default=None, help="the name on the certificate (default: clinic name)")
        parser.add_argument("--force", action="store_true", help="replace an existing certificate")

    def handle(self, *args, **options):
        default_cert, default_key = cert_paths()
        cert_path = Path(options["cert"]) if options["cert"] else default_cert
        key_path = Path(options["key"]) if options["key"] else default_key
        if (cert_path.exists() or key_path.exists()) and not options["force"]:
            raise CommandError(f"{cert_path} or {key_path} already exists; pass --force to replace it")
        password = settings.CLINIC_SIGNING_KEY_PASSWORD.encode() if settings.CLINIC_SIGNING_KEY_PASSWORD else None
        cert = make_self_signed_certificate(
            cert_path=cert_path,
            key_path=key_path,
            common_name=options["common_name"] or f"{settings.CLINIC_NAME} (self-signed seal)",
            password=password,
        )
        self.stdout.write(f"certificate {cert_path}")
        self.stdout.write(f"key {key_path}")
        self.stdout.write(f"valid until {cert.not_valid_after_utc:%Y-%m-%d}")
