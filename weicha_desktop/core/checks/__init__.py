"""核查: ID numbers and plates against the watch lists held on the laptop (docs/checks.md).

keys.py (normalizing what was typed, pasted or scanned), lists.py (the lists: import, ages),
service.py (the check, logged and synced), scan.py (a QR code or barcode in an image)."""
from weicha_desktop.core.checks.keys import KINDS, PERSON, VEHICLE, BadKey, key_for, read_key
from weicha_desktop.core.checks.lists import (ImportRefused, ImportReport, ListInfo, import_list,
                                              lists, max_age_days, set_max_age_days)
from weicha_desktop.core.checks.service import CheckResult, CheckService, Hit, RecordMatch, apply_check

__all__ = ["BadKey", "CheckResult", "CheckService", "Hit", "ImportRefused", "ImportReport", "KINDS",
           "ListInfo", "PERSON", "RecordMatch", "VEHICLE", "apply_check", "import_list", "key_for",
           "lists", "max_age_days", "read_key", "set_max_age_days"]
