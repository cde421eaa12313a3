"""The server's app without per-app waste (issue 9, stop 19): its routes — whose parameters
and validators FastAPI works out as each is made, ~13 ms CPU — are made once per process and
shared by every app (a server start, a forked worker, a test's in-process app), each handler
serving its own app's settings, database and blob store."""
from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from weicha_server import config as settings
from weicha_server.app import create_app

from tests.server_support import HEADERS, init_server


def test_two_apps_share_their_routes_and_each_answers_from_its_own_database(tmp_path):
    apps = []
    for name in ("a", "b"):
        init_server(tmp_path / name, None)
        apps.append(create_app(settings.load(tmp_path / name, None)))
    try:
        routes = [[r for r in app.routes if isinstance(r, APIRoute)] for app in apps]
        assert len(routes[0]) >= 10 and all(a is b for a, b in zip(*routes, strict=True))  # made once
        assert apps[0].openapi() == apps[1].openapi()
        for app in apps:
            with TestClient(app, headers=HEADERS) as client:
                r = client.get("/v1/health")
                assert r.status_code == 200 and r.json()["server_id"] == app.state.api.server_id
                assert client.get("/v1/devices/me").status_code == 401  # the gate and the token, per app
        assert apps[0].state.api.server_id != apps[1].state.api.server_id
    finally:
        for app in apps:
            app.state.api.engine.dispose()
