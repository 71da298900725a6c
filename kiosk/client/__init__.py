"""The kiosk's side of the platform contract (kiosk/api/openapi.yaml).

`PlatformClient.from_config(config)` is the way in; every failure is one of the four kinds in
`errors.py`, so a screen or the outbox decides what to do without knowing HTTP.
"""

from kiosk.client.credentials import CredentialError, read_credential
from kiosk.client.errors import (PlatformError, PlatformUnreachable, RequestRefused,
                                 ResponseMalformed, ServerFault)
from kiosk.client.platform import OPERATIONS, Operation, PlatformClient

__all__ = ["OPERATIONS", "CredentialError", "Operation", "PlatformClient", "PlatformError",
           "PlatformUnreachable", "RequestRefused", "ResponseMalformed", "ServerFault",
           "read_credential"]
