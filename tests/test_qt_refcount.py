"""PySide6 6.12.0 released a reference to None on every Qt call that returns None; on
Python 3.11 (None not immortal) the process aborts with "none_dealloc" after some
thousands of calls — a long editing session would crash. This guards the pin."""
import subprocess
import sys

SCRIPT = r"""
import sys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem
app = QApplication([])
b, e, t = QPushButton("x"), QLineEdit(), QTableWidget(3, 3)
item = QTableWidgetItem("x")
t.setItem(0, 0, item)
before = sys.getrefcount(None)
for _ in range(10000):  # 40,000 calls: a reference lost or kept per call moves the count by thousands
    b.setEnabled(True); e.setText("a"); item.setData(Qt.ItemDataRole.UserRole, None); t.item(1, 1)
print(sys.getrefcount(None) - before)
"""


def test_qt_calls_returning_none_do_not_leak_or_drop_references():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                       timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert r.returncode == 0, r.stderr[-2000:]
    assert abs(int(r.stdout.strip())) < 100
