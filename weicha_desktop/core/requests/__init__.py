"""互动 (public requests): record kind ``request`` (forms/request.yaml): 报警求助 and 民情民意,
their handling steps and deadlines (docs/patrol-requests.md)."""
from .deadlines import Deadlines
from .service import DONE, IN_PROGRESS, PENDING, WORDS, RequestService

__all__ = ["DONE", "Deadlines", "IN_PROGRESS", "PENDING", "RequestService", "WORDS"]
