"""采集 (base information): persons, vehicles and places as record kinds (forms/collect_*.yaml)
with their small services, and links between them and other records (docs/collect.md)."""
from .links import LinkService
from .person import PersonService
from .place import PlaceService
from .service import CollectService, Duplicate
from .vehicle import VehicleService

SERVICES = {"person": PersonService, "vehicle": VehicleService, "place": PlaceService}

__all__ = ["SERVICES", "CollectService", "Duplicate", "LinkService", "PersonService", "PlaceService",
           "VehicleService"]
