"""The sandbox server process: moto's WSGI app with our gap fills, on loopback.

Run as `python -m provision.stacks.sandbox.server --info FILE --instance-id ID`.
It binds a free port itself (no race between picking and binding), applies
the `--preset` if any (stacks.sandbox.presets) through its own endpoint, then
writes FILE (JSON: pid, port, instanceId, startedAt, preset,
iamPropagationSeconds) atomically so the parent knows where it listens.
SIGTERM stops it cleanly.

It serves with cheroot rather than werkzeug's development server, which
closes the connection after every response: each AWS call then paid a new
TCP connection and TLS handshake, more CPU than moto spends answering it.
cheroot keeps connections alive (HTTP/1.1), so a client's calls share one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import signal
import sys
import threading
from pathlib import Path


def _write_info(path: Path, info: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m provision.stacks.sandbox.server")
    parser.add_argument("--info", required=True, type=Path, help="where to write pid/port/instance JSON")
    parser.add_argument("--instance-id", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--tls-cert", type=Path, default=None, help="serve HTTPS with this certificate chain")
    parser.add_argument("--tls-key", type=Path, default=None, help="and this private key")
    parser.add_argument("--preset", default=None, help="start with what this preset describes (landing-zone)")
    parser.add_argument("--iam-propagation-seconds", type=float, default=None,
                        help="how long a new role stays invisible to AWS services (0: off)")
    args = parser.parse_args(argv)

    # Before moto is imported: these are read at import or backend creation.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    # provision launches no instances: skip the 30 ms each EC2 region backend spends loading AMIs.
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from provision.stacks.sandbox import access, faults, gaps
    from provision.stacks.sandbox.reset import InstanceReset
    from provision.stacks.sandbox.serialized import OneCallAtATime

    if args.iam_propagation_seconds is not None:
        access.settings.iam_propagation_seconds = args.iam_propagation_seconds
    gaps.install()
    # Inert unless $PROVISION_SANDBOX_FAULTS or the control endpoint configures faults (tests do).
    moto = OneCallAtATime(DomainDispatcherApplication(create_backend_app))
    injector = faults.FaultInjector(moto, faults.from_env())

    def info(instance_id: str) -> dict:
        return {
            "pid": os.getpid(),
            "port": port,
            "instanceId": instance_id,
            "startedAt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "scheme": "https" if tls else "http",
            "preset": args.preset,
            "iamPropagationSeconds": access.settings.iam_propagation_seconds,
        }

    def reset(instance_id: str, propagation: float) -> None:
        injector.configure(faults.FaultConfig())
        access.settings.iam_propagation_seconds = propagation
        args.instance_id = instance_id
        _write_info(args.info, info(instance_id))
        print(f"sandbox reset: instance {instance_id} starts empty", flush=True)

    app = InstanceReset(injector, exclusively=moto.exclusively, on_reset=reset)
    tls = (str(args.tls_cert), str(args.tls_key)) if args.tls_cert else None
    server = http_server(args.host, args.port, app, tls)
    port = server.bind_addr[1]
    url = f"{'https' if tls else 'http'}://{args.host}:{port}"
    # moto builds some URLs (queues, presigned) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever to return, so it must not run on its thread.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    serving = threading.Thread(target=server.serve, daemon=True)
    serving.start()
    if args.preset:
        _apply_preset(args.preset, url, str(args.tls_cert.parent / "ca.pem") if tls else None)
    _write_info(args.info, info(args.instance_id))
    print(f"sandbox {args.instance_id} listening on {url}", flush=True)
    try:
        signal.pause() if hasattr(signal, "pause") else serving.join()
    except SystemExit:
        pass
    finally:
        server.stop()
        print(f"sandbox {args.instance_id} stopped", flush=True)
    sys.exit(0)


# Worker threads: moto answers one call at a time (serialized.py), but a worker also
# reads requests and writes responses, and idle kept-alive connections hold none.
SERVER_THREADS = 16
# Idle kept-alive connections the server holds before it answers `Connection: close`
# (cheroot's default is 10): every provider host, CLI and test keeps a pool of them, and
# past the limit each call paid a TLS handshake again. Idle ones close after 10 s anyway.
KEPT_ALIVE_CONNECTIONS = 512
# How often the serving loop looks up from its sockets; a stop waits up to this long
# (cheroot's default, 0.5 s, made every sandbox stop and every test server's half a second).
SERVING_TICK_SECONDS = 0.05


def http_server(host: str, port: int, app, tls: tuple[str, str] | None):
    """A threaded HTTP/1.1 server for `app` on host:port (0: a free one), bound, not yet serving."""
    from cheroot import wsgi
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    def with_raw_uri(environ, start_response):
        # moto reads the undecoded path (S3 keys) from RAW_URI, which werkzeug's server set.
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        return app(environ, start_response)

    server = wsgi.Server((host, port), with_raw_uri, numthreads=SERVER_THREADS)
    server.expiration_interval = SERVING_TICK_SECONDS
    server.keep_alive_conn_limit = KEPT_ALIVE_CONNECTIONS
    if tls:
        server.ssl_adapter = BuiltinSSLAdapter(*tls)
    server.prepare()
    return server


def _apply_preset(name: str, url: str, ca_bundle: str | None) -> None:
    import boto3

    from provision.stacks.sandbox import presets

    session = boto3.session.Session(aws_access_key_id="sandbox", aws_secret_access_key="sandbox-secret")

    @functools.cache  # making a client costs more than most preset calls
    def client(service: str, region: str):
        return session.client(service, region_name=region, endpoint_url=url, verify=ca_bundle if ca_bundle else True)

    presets.apply(name, client)
    print(f"preset {name} applied", flush=True)


if __name__ == "__main__":
    main()
