"""巡逻 (patrols): record kind ``patrol`` (forms/patrol.yaml), its service, GPX import and the
patrol's summary (docs/patrol-requests.md)."""
from .gpx import GpxError, parse_gpx, read_gpx
from .service import LINK_ROLE, MAX_POINTS, PatrolService
from .summary import PatrolSummary, haversine_m, route_length_m

__all__ = ["GpxError", "LINK_ROLE", "MAX_POINTS", "PatrolService", "PatrolSummary", "haversine_m",
           "parse_gpx", "read_gpx", "route_length_m"]
