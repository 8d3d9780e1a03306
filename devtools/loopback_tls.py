"""A throwaway certificate authority and its certificate for 127.0.0.1, for a sandbox served over HTTPS.

The peer tap (devtools/peer.py) builds only `https://` URLs, so the tests and benchmarks that run it start
the sandbox with the certificate and key and give the peer the authority as its CA bundle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import trustme

if TYPE_CHECKING:
    from pathlib import Path


class LoopbackTLS(NamedTuple):
    """The PEM files: the authority (a CA bundle), the certificate for 127.0.0.1 and its private key."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def loopback_tls(directory: Path) -> LoopbackTLS:
    """Make a new authority and a certificate for 127.0.0.1; write their PEM files into `directory`."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    files = LoopbackTLS(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    authority.cert_pem.write_to_path(str(files.ca_file))
    certificate.cert_chain_pems[0].write_to_path(str(files.cert_file))
    certificate.private_key_pem.write_to_path(str(files.key_file))
    return files
