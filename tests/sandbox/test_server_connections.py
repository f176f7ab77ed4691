"""The sandbox keeps connections alive, as AWS endpoints do: a client's calls share one.

werkzeug's development server, which served the sandbox before, closed the
connection after every response, so each AWS call paid a new TCP connection
and TLS handshake: more CPU than moto spent answering it.
"""

from __future__ import annotations

import http.client
import ssl

import pytest

pytestmark = pytest.mark.e2e


def test_one_connection_serves_many_requests(sandbox) -> None:
    context = ssl.create_default_context(cafile=sandbox.ca_bundle)
    connection = http.client.HTTPSConnection(sandbox.host, sandbox.port, context=context, timeout=10)
    try:
        local_ports = set()
        for _ in range(3):
            connection.request("GET", "/moto-api/config")
            response = connection.getresponse()
            response.read()
            assert response.status < 300 and response.getheader("Connection") is None
            local_ports.add(connection.sock.getsockname()[1])  # http.client drops a socket the server closed
        assert len(local_ports) == 1
    finally:
        connection.close()



def test_connections_stay_alive_while_many_others_idle(sandbox) -> None:
    # Every provider host, CLI and test holds a pool of idle connections; cheroot's default
    # answered `Connection: close` to everyone past the tenth.
    context = ssl.create_default_context(cafile=sandbox.ca_bundle)
    idle = [http.client.HTTPSConnection(sandbox.host, sandbox.port, context=context, timeout=10) for _ in range(40)]
    try:
        closing = []
        for connection in idle:
            connection.request("GET", "/moto-api/config")
            response = connection.getresponse()
            response.read()
            closing.append(response.getheader("Connection"))
        assert closing == [None] * len(idle)
    finally:
        for connection in idle:
            connection.close()
