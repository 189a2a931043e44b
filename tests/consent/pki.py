"""A real local PKI for sealing tests and the signing benchmark: certomancer's Animator on 127.0.0.1.

One root CA issues an intermediate CA (which issues the clinic's seal certificate and has an OCSP
responder), and two time-stamping authorities: `tsa`, whose certificate ends in mid-2030 (inside a
five-year renewal window), and `tsa2`, valid until 2045. CRLs are served for both CAs. Keys are fresh
P-256 keys in a temporary folder; nothing leaves the machine.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

KEYS = ("root", "interm", "interm-ocsp", "seal", "tsa", "tsa2")
ARCH = "portal-test"

CONFIG = """
external-url-prefix: "{prefix}"
keysets:
  portal:
    path-prefix: "{key_dir}"
    keys:
{keys}
pki-architectures:
  {arch}:
    keyset: portal
    entity-defaults:
      country-name: GB
      organization-name: Portal Test PKI
    entities:
      root: {{common-name: Test Root CA}}
      interm: {{common-name: Test Issuing CA}}
      interm-ocsp: {{common-name: Test OCSP Responder}}
      seal: {{common-name: Riverside Physiotherapy (test seal)}}
      tsa: {{common-name: Test Time Stamping Authority}}
      tsa2: {{common-name: Test Time Stamping Authority 2}}
    certs:
      root:
        subject: root
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2060-01-01T00:00:00+0000"}}
        extensions:
          - {{id: basic_constraints, critical: true, value: {{ca: true}}}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
      interm:
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2055-01-01T00:00:00+0000"}}
        extensions:
          - {{id: basic_constraints, critical: true, value: {{ca: true, path-len-constraint: 0}}}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
      interm-ocsp:
        issuer: interm
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2055-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - {{id: extended_key_usage, critical: true, value: [ocsp_signing]}}
          - id: ocsp_no_check
      seal:
        issuer: interm
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2050-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, non_repudiation]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [interm]}}}}
          - id: authority_information_access
            smart-value: {{schema: aia-urls, params: {{ocsp-responder-names: [interm]}}}}
      tsa:
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2030-06-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - {{id: extended_key_usage, critical: true, value: [time_stamping]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
      tsa2:
        template: tsa
        subject: tsa2
        subject-key: tsa2
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2045-01-01T00:00:00+0000"}}
    services:
      ocsp:
        interm: {{for-issuer: interm, responder-cert: interm-ocsp, signing-key: interm-ocsp}}
      crl-repo:
        root: {{for-issuer: root, signing-key: root, simulated-update-schedule: "P90D"}}
        interm: {{for-issuer: interm, signing-key: interm, simulated-update-schedule: "P30D"}}
      time-stamping:
        tsa: {{signing-key: tsa, signing-cert: tsa}}
        tsa2: {{signing-key: tsa2, signing-cert: tsa2}}
"""


@dataclass
class LocalPKI:
    prefix: str
    folder: Path
    server: object
    thread: threading.Thread

    @classmethod
    def start(cls) -> LocalPKI:
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from certomancer.registry import CertomancerConfig
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):
                pass

        folder = Path(tempfile.mkdtemp(prefix="portal-test-pki-"))
        for label in KEYS:
            key = ec.generate_private_key(ec.SECP256R1())
            (folder / f"{label}.key.pem").write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
        # Bind first (port 0 = any free port), then build the PKI whose URLs name that port.
        server = make_server(
            "127.0.0.1", 0, lambda environ, start_response: [], threaded=True, request_handler=QuietHandler
        )
        prefix = f"http://127.0.0.1:{server.server_port}"
        keys = "\n".join(f"      {label}: {{path: {label}.key.pem}}" for label in KEYS)
        config_path = folder / "certomancer.yml"
        config_path.write_text(CONFIG.format(prefix=prefix, key_dir=folder, keys=keys, arch=ARCH))
        config = CertomancerConfig.from_file(str(config_path), key_search_dir=str(folder))
        arch = config.get_pki_arch(ARCH)
        for label in ("root", "interm", "seal", "tsa", "tsa2"):
            (folder / f"{label}.cert.pem").write_bytes(_pem(arch.get_cert(label)))
        (folder / "seal.key.pem").chmod(0o600)
        server.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        thread = threading.Thread(target=server.serve_forever, name="local-pki", daemon=True)
        thread.start()
        return cls(prefix=prefix, folder=folder, server=server, thread=thread)

    def tsa_url(self, label: str = "tsa") -> str:
        return f"{self.prefix}/{ARCH}/tsa/{label}"

    def settings(self, tsa: str = "tsa") -> dict:
        """Settings that seal with the PKI's certificate and timestamp with one of its TSAs."""
        return {
            "CLINIC_SIGNING_CERT_PATH": str(self.folder / "seal.cert.pem"),
            "CLINIC_SIGNING_KEY_PATH": str(self.folder / "seal.key.pem"),
            "CLINIC_SIGNING_KEY_PASSWORD": "",
            "CLINIC_SIGNING_CHAIN_PATH": str(self.folder / "interm.cert.pem"),
            "CONSENT_TRUST_ROOTS_PATH": str(self.folder / "root.cert.pem"),
            "CONSENT_TSA_URL": self.tsa_url(tsa),
            "CLINIC_SIGNING_AUTO_CREATE": False,
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def _pem(cert) -> bytes:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", cert.dump())
