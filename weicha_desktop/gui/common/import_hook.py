"""PySide6's import hook, spared a question this program answers the same for every module.

Once PySide6 is imported it stands in for ``__import__``, and for each module imported after
that it reads the module's source file (``inspect.getsource``) and searches it for the word
"PySide6": such a module may switch on Qt for Python's ``__feature__`` options (snake_case,
true_property), the others are left out of them. This program switches on none of them (a
test checks no module imports ``__feature__``), so every module is counted as one that may,
with the default selection: nothing switched on — what each module gets now. Reading and
scanning the source was ~15–20 % of the CPU of an import after Qt (the main window's lazily
imported pages, the reports, the sync; benchmarks/bench_startup.py).

Not public API of PySide6 (shibokensupport.feature): where it is missing or changed, nothing
is patched and the imports work as before, only slower."""
from __future__ import annotations

import sys
from types import ModuleType

FEATURE_MODULE = "shibokensupport.feature"


def _every_module_may(_module: ModuleType) -> bool:
    return True


def skip_source_scan() -> bool:
    """Answer PySide6's "does this module use PySide6?" without reading its source. True when
    it was patched (PySide6 imported, its hook as known)."""
    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _every_module_may
    return True
