"""The region a 居民身份证号's first 6 digits name (GB/T 2260 administrative divisions).

Data: forms/choices/regions.tsv — province (``PP0000``), prefecture (``PPCC00``) and county
(``PPCCDD``) levels: the current codes, and those of the 2002–2013 editions since withdrawn
or renumbered (marked 旧). A code not in the table falls back to its prefecture, then its
province (the first two digits have not changed since 1997: 50 重庆, 46 海南 1988), so every
valid ID number gets at least its province; codes withdrawn before 2002 (the old 地区) give
the province only. ``region("450702…")`` → ``广西壮族自治区钦州市钦南区``."""
from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

REGIONS_FILE = Path("choices") / "regions.tsv"


class RegionTable:
    """The table of one forms folder, read at its first use (~3,700 lines, ~2 ms)."""

    def __init__(self, forms_dir: str | Path):
        self.path = Path(forms_dir) / REGIONS_FILE
        self._names: dict[str, str] | None = None

    @classmethod
    def of(cls, forms: Any) -> "RegionTable":
        """The table of a form registry's folder, one per registry: the person services made
        per case (the demo) or per page share its reading instead of each reading the file
        again at its first ID number (~2-4 ms each)."""
        table = _TABLES.get(forms)
        if table is None:
            table = _TABLES[forms] = cls(forms.forms_dir)
        return table

    @property
    def names(self) -> dict[str, str]:
        if self._names is None:
            names = {}
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    if line.startswith("#") or not line.strip():
                        continue
                    code, name, *_ = line.rstrip("\n").split("\t")
                    names[code] = name
            self._names = names
        return self._names

    def region(self, id_number: str) -> str | None:
        """The names of the province, prefecture and county of the number's first 6 digits
        (those the table knows), or None when not even the province is known."""
        code = id_number[:6] if isinstance(id_number, str) else ""
        if len(code) != 6 or not code.isdigit():
            return None
        province = self.names.get(code[:2] + "0000")
        if province is None:
            return None
        parts = [province]
        prefecture = self.names.get(code[:4] + "00")
        if prefecture and code[2:4] != "00":
            parts.append(prefecture)
        county = self.names.get(code)
        if county and code[4:] != "00":
            parts.append(county)
        return "".join(parts)

    def level(self, id_number: str) -> str:
        """How precisely the table names the number's region: county, prefecture, province
        or none."""
        code = id_number[:6]
        if code[4:] != "00" and code in self.names:
            return "county"
        if code[:4] + "00" in self.names and code[2:4] != "00":
            return "prefecture"
        return "province" if code[:2] + "0000" in self.names else "none"


_TABLES: "weakref.WeakKeyDictionary[Any, RegionTable]" = weakref.WeakKeyDictionary()  # by registry
