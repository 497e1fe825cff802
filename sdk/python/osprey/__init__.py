"""Osprey Python SDK: log every prediction without slowing or crashing the service.

    from osprey import Osprey
    client = Osprey("http://localhost:8080", api_key="osk_...")
    event_id = client.log("churn", "v3", {"tenure": 12, "plan": "pro"}, prediction=0.83, latency_ms=4.2)
    client.log_label("churn", 1, event_id=event_id)
    client.log_reference("churn", "v3", training_frame, prediction_column="score")
"""

from ._reference import ReferenceUpload
from ._version import __version__
from .client import Osprey
from .errors import OspreyError
from .monitor import monitor
from .production import ProductionPoller
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "Osprey",
    "OspreyError",
    "ProductionPoller",
    "ReferenceUpload",
    "WebhookVerificationError",
    "monitor",
    "verify_webhook",
    "__version__",
]
