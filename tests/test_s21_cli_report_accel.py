"""Reports are laid out with reportlab's C accelerator (rl-accel, a dependency): its number
formatting, TrueType string widths and PDF escaping were ~10 % of a report's CPU in Python.
The PDF's bytes are the same either way (compared when it was added); without the package
reportlab quietly falls back to its Python versions, so only this test notices its loss."""
from __future__ import annotations


def test_reportlab_uses_the_compiled_accelerator_for_every_function():
    from reportlab.lib import rl_accel

    assert rl_accel._py_funcs == {}, f"in Python: {sorted(rl_accel._py_funcs)}"
    for name in ("fp_str", "instanceStringWidthTTF", "escapePDF", "unicode2T1", "calcChecksum"):
        assert getattr(rl_accel, name) is rl_accel._c_funcs[name], name
    # as reportlab's Python version writes numbers
    assert rl_accel.fp_str(0.5, 1.25, 3, -0.5, 1e-7, 123456.789) == ".5 1.25 3 -0.5 0 123456.8"
