"""Forms engine: capture forms as YAML data (``forms/``), a safe expression language,
validation, and the finalize rules (一长四必). See docs/architecture.md, "Forms engine contract".
"""
from .check import check_forms
from .expr import Expr, ExprError, compile_expr
from .loader import load_form
from .registry import FormNotFound, FormRegistry
from .rules import check_notices, check_rules
from .spec import (
    Choice,
    Constraint,
    Field,
    FormError,
    FormSpec,
    Label,
    Rule,
    Section,
    default_values,
)
from .validate import validate
from .validators import VALIDATORS

__all__ = [
    "Choice", "Constraint", "Expr", "ExprError", "Field", "FormError", "FormNotFound",
    "FormRegistry", "FormSpec", "Label", "Rule", "Section", "VALIDATORS", "check_forms",
    "check_notices", "check_rules", "compile_expr", "default_values", "load_form", "validate",
]
