"""The sandbox server process: moto's WSGI app with our gap fills, on loopback.

Run as `python -m provision.stacks.sandbox.server --info FILE --instance-id ID`.
It binds a free port itself (no race between picking and binding), then
writes FILE (JSON: pid, port, instanceId, startedAt) atomically so the parent
knows where it listens. SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
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
    args = parser.parse_args(argv)

    # Before moto is imported: these are read at import or backend creation.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from werkzeug.serving import make_server

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from provision.stacks.sandbox import faults, gaps

    gaps.install()
    # Inert unless $PROVISION_SANDBOX_FAULTS or the control endpoint configures faults (tests do).
    app = faults.FaultInjector(DomainDispatcherApplication(create_backend_app), faults.from_env())
    server = make_server(args.host, args.port, app, threaded=True)
    port = server.server_port
    # moto builds some URLs (queues, presigned) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever to return, so it must not run on its thread.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _write_info(
        args.info,
        {
            "pid": os.getpid(),
            "port": port,
            "instanceId": args.instance_id,
            "startedAt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        },
    )
    print(f"sandbox {args.instance_id} listening on http://{args.host}:{port}", flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
        print(f"sandbox {args.instance_id} stopped", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
