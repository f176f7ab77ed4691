"""Fault injection for the sandbox: make AWS calls fail the way AWS does, on purpose.

A WSGI middleware in front of moto. It is inert until configured, either at
start-up from $PROVISION_SANDBOX_FAULTS (JSON) or at run time through the
control endpoint `/_provision/faults` (POST a config, GET the counts, DELETE
to stop). A config has two parts:

- `rate` (0..1) with `seed`: that fraction of AWS calls fails with a transient
  error, ThrottlingException-like (400) or ServiceUnavailable (503), drawn from
  a random sequence seeded by `seed`, so runs are reproducible;
- `rules`: calls matching a rule (service, operation, method, path regex)
  fail with the rule's error, every time or the first `times` times, after
  hanging up to `hold` seconds if set, or until the config is set or cleared (a call
  still in flight when its caller is signalled or dies).

Errors come in the wire shape of the call's protocol (query and EC2 XML, S3
and CloudFront XML, JSON, REST-JSON, RPC-v2 CBOR), so botocore parses the
code and its retry logic treats them exactly as it treats real ones. Every
injected fault is counted and logged.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
import threading
import urllib.parse
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Mapping

CONTROL_PATH = "/_provision/faults"
ENV_VAR = "PROVISION_SANDBOX_FAULTS"
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_CBOR_OPERATION = re.compile(r"^/service/[^/]+/operation/([^/?]+)")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Call:
    """What an incoming AWS request is: its service, operation (when the wire says), method and path."""

    service: str
    operation: str | None
    method: str
    path: str
    query: str
    protocol: str  # query | ec2 | s3 | rest-xml | json | rest-json | cbor

    @property
    def label(self) -> str:
        what = self.operation or f"{self.method} {self.path}{'?' + self.query if self.query else ''}"
        return f"{self.service} {what}"

    @property
    def kind(self) -> str:
        """The label without resource names: REST calls by method and query keys ("s3 GET ?policy")."""
        if self.operation:
            return f"{self.service} {self.operation}"
        keys = sorted({pair.split("=", 1)[0] for pair in self.query.split("&") if pair})
        return f"{self.service} {self.method}" + (f" ?{'&'.join(keys)}" if keys else "")


@dataclass(frozen=True)
class Rule:
    """Fail the calls that match every given field with `code` (HTTP `status`)."""

    code: str = "AccessDenied"
    status: int = 403
    message: str = "Injected fault: access denied"
    service: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None  # a regex searched in the path and query string
    times: int | None = None  # None: every matching call
    # Seconds to hang before answering, at most: a call in flight when a test signals or kills its
    # caller. Setting or clearing the config answers it at once, so a test holds with a generous
    # bound and releases on the event it waits for.
    hold: float = 0.0

    def matches(self, call: Call) -> bool:
        return (
            (self.service is None or self.service == call.service)
            and (self.operation is None or self.operation == call.operation)
            and (self.method is None or self.method.upper() == call.method)
            and (self.path is None or re.search(self.path, f"{call.path}?{call.query}") is not None)
        )


@dataclass(frozen=True)
class FaultConfig:
    rate: float = 0.0
    seed: int = 0
    rules: tuple[Rule, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "FaultConfig":
        """Parse a config; ValueError on anything malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("a fault config is a JSON object")
        unknown = set(data) - {"rate", "seed", "rules"}
        if unknown:
            raise ValueError(f"unknown fault config keys: {', '.join(sorted(unknown))}")
        rate = float(data.get("rate", 0.0))
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        rules = tuple(Rule(**rule) for rule in data.get("rules", ()))
        return cls(rate=rate, seed=int(data.get("seed", 0)), rules=rules)

    def to_json(self) -> dict[str, Any]:
        return {"rate": self.rate, "seed": self.seed, "rules": [asdict(r) for r in self.rules]}


@dataclass
class FaultStats:
    requests: int = 0  # AWS calls seen since the config was set
    injected: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    by_call: dict[str, int] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)  # every call, by Call.kind

    def count(self, call: Call) -> None:
        self.requests += 1
        self.seen[call.kind] = self.seen.get(call.kind, 0) + 1

    def record(self, call: Call, code: str) -> None:
        self.injected += 1
        self.by_code[code] = self.by_code.get(code, 0) + 1
        self.by_call[call.label] = self.by_call.get(call.label, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "injected": self.injected,
            "byCode": self.by_code,
            "byCall": self.by_call,
            "seen": self.seen,
        }


# Transient errors per protocol: (code, HTTP status). botocore retries both kinds.
_THROTTLE = {"ec2": ("RequestLimitExceeded", 503), "s3": ("SlowDown", 503), "query": ("Throttling", 400), "rest-xml": ("Throttling", 400)}
_UNAVAILABLE = {"ec2": ("Unavailable", 503)}
_DEFAULT_THROTTLE = ("ThrottlingException", 400)
_DEFAULT_UNAVAILABLE = ("ServiceUnavailable", 503)


class FaultInjector:
    """WSGI middleware: pass calls to `app`, failing the ones the config picks."""

    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]], config: FaultConfig | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._log = log or (lambda line: print(line, file=sys.stdout, flush=True))
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace the config and reset the counts and the random sequence."""
        with self._lock:
            # Calls held by the old config answer now: a test releases a held call by clearing.
            if hasattr(self, "_released"):
                self._released.set()
            self._released = threading.Event()
            self.config = config
            self.stats = FaultStats()
            self._random = random.Random(config.seed)
            self._hits = [0] * len(config.rules)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return self._control(environ, start_response)
        call = describe(environ)
        if call is None:  # not an AWS call (health checks, moto's own API)
            return self.app(environ, start_response)
        fault = self._decide(call)
        if fault is None:
            return self.app(environ, start_response)
        code, status, message, hold = fault
        self._log(f"fault injected: {code} ({status}) on {call.label}" + (f" after {hold:g}s" if hold else ""))
        if hold:
            self._released.wait(hold)
        return _error_response(call, code, status, message, start_response)

    def _decide(self, call: Call) -> tuple[str, int, str, float] | None:
        with self._lock:
            self.stats.count(call)
            for index, rule in enumerate(self.config.rules):
                if rule.matches(call) and (rule.times is None or self._hits[index] < rule.times):
                    self._hits[index] += 1
                    self.stats.record(call, rule.code)
                    return rule.code, rule.status, rule.message, rule.hold
            if self.config.rate <= 0 or self._random.random() >= self.config.rate:
                return None
            if self._random.random() < 0.5:
                code, status = _THROTTLE.get(call.protocol, _DEFAULT_THROTTLE)
                message = "Rate exceeded (injected fault)"
            else:
                code, status = _UNAVAILABLE.get(call.protocol, _DEFAULT_UNAVAILABLE)
                message = "Service unavailable (injected fault)"
            self.stats.record(call, code)
            return code, status, message, 0.0

    def _control(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        with self._lock:
            before = {"config": self.config.to_json(), **self.stats.to_json()}
        if method == "GET":
            return _json(start_response, "200 OK", before)
        if method == "DELETE":  # answers with the counts of the config it ends
            self.configure(FaultConfig())
            return _json(start_response, "200 OK", before)
        if method != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "use GET, POST or DELETE"})
        try:
            self.configure(FaultConfig.from_json(json.loads(_read_body(environ) or b"{}")))
        except (ValueError, TypeError) as exc:
            return _json(start_response, "400 Bad Request", {"error": str(exc)})
        return _json(start_response, "200 OK", {"config": self.config.to_json(), **self.stats.to_json()})


def from_env(environ: Mapping[str, str] = os.environ) -> FaultConfig:
    """The start-up config from $PROVISION_SANDBOX_FAULTS; no faults when unset."""
    raw = environ.get(ENV_VAR)
    return FaultConfig.from_json(json.loads(raw)) if raw else FaultConfig()


def describe(environ: Environ) -> Call | None:
    """The AWS call a request makes, or None when it is not a signed AWS call."""
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if scope is None:
        return None
    service = scope.group(1)
    method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING", "")
    target = environ.get("HTTP_X_AMZ_TARGET")
    cbor = _CBOR_OPERATION.match(path) if environ.get("HTTP_SMITHY_PROTOCOL") else None
    if target:
        return Call(service, target.rsplit(".", 1)[-1], method, path, query, "json")
    if cbor:
        return Call(service, cbor.group(1), method, path, query, "cbor")
    action = urllib.parse.parse_qs(query).get("Action", [None])[0]
    if action is None and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
    if action is not None:
        return Call(service, action, method, path, query, "ec2" if service == "ec2" else "query")
    protocol = "s3" if service == "s3" else "rest-xml" if service in ("cloudfront", "route53") else "rest-json"
    return Call(service, None, method, path, query, protocol)


def _read_body(environ: Environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _error_response(call: Call, code: str, status: int, message: str, start_response: StartResponse) -> Iterable[bytes]:
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if call.protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
    elif call.protocol == "cbor":
        body = _cbor_text_map({"__type": code, "message": message})
        headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    elif call.protocol == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{_xml(message)}</Message></Error></Errors>"
                f"<RequestID>{request_id}</RequestID></Response>").encode()
        headers.append(("Content-Type", "text/xml"))
    elif call.protocol == "s3":
        body = f"<Error><Code>{code}</Code><Message>{_xml(message)}</Message><RequestId>{request_id}</RequestId></Error>".encode()
        headers.append(("Content-Type", "application/xml"))
    else:  # query and the other REST-XML services
        body = (f'<ErrorResponse><Error><Type>{"Receiver" if status >= 500 else "Sender"}</Type><Code>{code}</Code>'
                f"<Message>{_xml(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        headers.append(("Content-Type", "text/xml"))
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
    return [body]


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cbor_text_map(items: Mapping[str, str]) -> bytes:
    """A CBOR map of short text strings: all an RPC-v2 error body needs."""
    out = bytearray([0xA0 + len(items)])
    for key, value in items.items():
        for text in (key, value):
            data = text.encode()
            out += bytes([0x60 + len(data)]) if len(data) < 24 else bytes([0x78, len(data)])
            out += data
    return bytes(out)


def _json(start_response: StartResponse, status: str, payload: Mapping[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class FaultControl:
    """Client side of the control endpoint, for tests and tools: `FaultControl(sandbox.url, sandbox.ca_bundle)`."""

    def __init__(self, url: str, ca_bundle: str | None = None) -> None:
        self.url = url.rstrip("/") + CONTROL_PATH
        self.ca_bundle = ca_bundle

    def set(self, config: FaultConfig) -> dict[str, Any]:
        return self._send("POST", json.dumps(config.to_json()).encode())

    def stats(self) -> dict[str, Any]:
        return self._send("GET")

    def clear(self) -> dict[str, Any]:
        """Stop injecting; returns the counts up to now."""
        return self._send("DELETE")

    def _send(self, method: str, body: bytes | None = None) -> dict[str, Any]:
        import urllib.request

        import ssl

        request = urllib.request.Request(self.url, data=body, method=method, headers={"Content-Type": "application/json"})
        context = ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return json.loads(response.read())
