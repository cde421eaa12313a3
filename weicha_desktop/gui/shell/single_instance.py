"""One program per data folder: a second start on the same folder brings the first to front.

The program that holds the data folder (its lock file) listens on a local socket whose name
is derived from the folder's path (and the user), so two folders never meet. A second start
first knocks on that socket: if someone answers, it asks the first to come to front and
exits quietly. If nobody answers (the first has no server, or listening failed), the second
goes on to open the store and meets the folder lock, which the shell explains in Chinese.
The lock stays the real guard; the socket is only the courtesy."""
from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMainWindow

ACTIVATE = b"activate"
TIMEOUT_MS = 1000


def server_name(data_dir: Path) -> str:
    """A short, stable name for the folder (sockets have short path limits)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        user = ""
    key = f"{user}\0{Path(data_dir).expanduser().resolve()}".encode("utf-8")
    return "weicha-" + hashlib.sha256(key).hexdigest()[:24]


def ask_running_instance(data_dir: Path, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Ask the program that has ``data_dir`` open to show itself. True if it was reached."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(data_dir))
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(ACTIVATE + b"\n")
    sent = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return sent


class InstanceServer(QObject):
    """Listens for later starts on the same folder; ``activateRequested`` when one knocks."""

    activateRequested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def start(self) -> bool:
        """Listen. Call only while holding the folder lock: a socket of that name left by a
        crashed run cannot belong to a live program then, and is removed."""
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            # no lambda holding the socket: PySide then keeps a reference that crashes
            # when the server is deleted ("shared QObject was deleted directly")
            socket.readyRead.connect(self._ready)
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)

    def _ready(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            if bytes(socket.readLine().data()).strip() == ACTIVATE:
                self.activateRequested.emit()


def bring_to_front() -> None:
    """Show the program's current window above others: an open dialog (login, wizard,
    message) if there is one, else the main window."""
    widget = QApplication.activeModalWidget() or next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()),
        None)
    if widget is None:
        return
    if widget.isMinimized():
        widget.showNormal()
    widget.raise_()
    widget.activateWindow()
    QApplication.alert(widget)  # window managers may refuse focus to a background program
