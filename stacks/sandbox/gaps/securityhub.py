"""Security Hub: standards subscriptions and hub tagging, which moto 5.2.1 lacks.

Operations and shapes follow the botocore model (restJson1, PascalCase members):
- DescribeStandards     GET  /standards
- BatchEnableStandards  POST /standards/register
- GetEnabledStandards   POST /standards/get
- BatchDisableStandards POST /standards/deregister
- TagResource / UntagResource / ListTagsForResource on /tags/{ResourceArn} (the hub)

As on AWS: enabling an enabled hub is a 409 ResourceConflictException; the
account must be subscribed to Security Hub (else 401 InvalidAccessException);
a standard ARN must be one Security Hub knows (else 400
InvalidInputException); enabling an enabled standard is harmless; and
EnableSecurityHub turns on the standards marked EnabledByDefault unless
EnableDefaultStandards is false. A new subscription passes through PENDING,
as on AWS: BatchEnableStandards and the first GetEnabledStandards that sees it
answer PENDING (controls NOT_READY_FOR_UPDATES), later reads READY; a
disabled one is answered DELETING and is gone.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.securityhub import urls
from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse

# (ARN template, name, enabled by default); {region} is filled per backend.
STANDARDS = (
    (
        "arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
        "AWS Foundational Security Best Practices v1.0.0",
        True,
    ),
    ("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0", "CIS AWS Foundations Benchmark v1.2.0", True),
    (
        "arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/1.4.0",
        "CIS AWS Foundations Benchmark v1.4.0",
        False,
    ),
    (
        "arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
        "CIS AWS Foundations Benchmark v3.0.0",
        False,
    ),
    ("arn:aws:securityhub:{region}::standards/nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5", False),
    ("arn:aws:securityhub:{region}::standards/pci-dss/v/3.2.1", "PCI DSS v3.2.1", False),
    ("arn:aws:securityhub:{region}::standards/pci-dss/v/4.0.1", "PCI DSS v4.0.1", False),
    (
        "arn:aws:securityhub:{region}::standards/aws-resource-tagging-standard/v/1.0.0",
        "AWS Resource Tagging Standard v1.0.0",
        False,
    ),
)
NOT_SUBSCRIBED = "Account is not subscribed to AWS Security Hub"
ALREADY_SUBSCRIBED = "Account is already subscribed to Security Hub"


def _invalid_input(message: str) -> SecurityHubClientError:
    return SecurityHubClientError("InvalidInputException", message)


def _catalogue(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
    return {
        template.format(region=backend.region_name): {"Name": name, "EnabledByDefault": default}
        for template, name, default in STANDARDS
    }


def _subscriptions(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
    # On the backend instance, so moto's reset() clears it with everything else.
    return backend.__dict__.setdefault("standards_subscriptions", {})


def _require_hub(backend: SecurityHubBackend) -> None:
    if not backend.enabled:
        raise SecurityHubClientError("InvalidAccessException", NOT_SUBSCRIBED)


def _subscription_arn(backend: SecurityHubBackend, standards_arn: str) -> str:
    # ".../standards/pci-dss/v/3.2.1" and ".../ruleset/cis-.../v/1.2.0" -> "subscription/<rest>"
    rest = standards_arn.split(":", 5)[5].split("/", 1)[1]
    return f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:subscription/{rest}"


def batch_enable_standards(self: SecurityHubBackend, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    _require_hub(self)
    if not 1 <= len(requests) <= 25:
        raise _invalid_input("StandardsSubscriptionRequests must contain between 1 and 25 items.")
    known = _catalogue(self)
    for request in requests:
        if request.get("StandardsArn") not in known:
            raise _invalid_input(f"StandardsArn {request.get('StandardsArn')} is not a valid standards ARN.")
    enabled = []
    for request in requests:
        arn = _subscription_arn(self, request["StandardsArn"])
        subscription = _subscriptions(self).setdefault(
            arn,
            {
                "StandardsSubscriptionArn": arn,
                "StandardsArn": request["StandardsArn"],
                "StandardsInput": request.get("StandardsInput") or {},
                "StandardsStatus": "PENDING",
                "StandardsControlsUpdatable": "NOT_READY_FOR_UPDATES",
            },
        )
        enabled.append(dict(subscription))
    return enabled


def _read(subscription: dict[str, Any]) -> dict[str, Any]:
    """What a read answers; a PENDING subscription is READY for the reads after it."""
    answer = dict(subscription)
    if subscription["StandardsStatus"] == "PENDING":
        subscription.update(StandardsStatus="READY", StandardsControlsUpdatable="READY_FOR_UPDATES")
    return answer


def get_enabled_standards(self: SecurityHubBackend, arns: list[str] | None) -> list[dict[str, Any]]:
    _require_hub(self)
    subscriptions = _subscriptions(self)
    if arns:
        return [_read(subscriptions[arn]) for arn in arns if arn in subscriptions]
    return [_read(s) for s in subscriptions.values()]


def batch_disable_standards(self: SecurityHubBackend, arns: list[str]) -> list[dict[str, Any]]:
    _require_hub(self)
    if not 1 <= len(arns) <= 25:
        raise _invalid_input("StandardsSubscriptionArns must contain between 1 and 25 items.")
    subscriptions = _subscriptions(self)
    for arn in arns:
        if arn not in subscriptions:
            raise _invalid_input(f"StandardsSubscriptionArn {arn} is not a valid subscription ARN.")
    return [{**subscriptions.pop(arn), "StandardsStatus": "DELETING"} for arn in arns]


_original_enable = SecurityHubBackend.enable_security_hub
_original_disable = SecurityHubBackend.disable_security_hub


def enable_security_hub(self: SecurityHubBackend, enable_default_standards: bool = True, tags: Any = None) -> Any:
    if self.enabled:
        raise SecurityHubClientError("ResourceConflictException", ALREADY_SUBSCRIBED)
    result = _original_enable(self, enable_default_standards=enable_default_standards, tags=tags)
    if enable_default_standards:
        defaults = [arn for arn, standard in _catalogue(self).items() if standard["EnabledByDefault"]]
        self.batch_enable_standards([{"StandardsArn": arn} for arn in defaults])
    return result


def disable_security_hub(self: SecurityHubBackend) -> Any:
    result = _original_disable(self)
    _subscriptions(self).clear()
    return result


def _hub_tags(backend: SecurityHubBackend, resource_arn: str) -> dict[str, str]:
    hub_arn = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:hub/default"
    if not backend.enabled or resource_arn != hub_arn:
        raise SecurityHubClientError("ResourceNotFoundException", f"Resource {resource_arn} not found.")
    if getattr(backend, "tags", None) is None:
        backend.tags = {}
    return backend.tags


# --- responses ---


def _body(self: SecurityHubResponse) -> dict[str, Any]:
    body = self.body.decode("utf-8") if isinstance(self.body, bytes) else (self.body or "")
    return json.loads(body or "{}")


def _page(self: SecurityHubResponse, items: list[dict[str, Any]], key: str, max_results: int | None) -> str:
    start = int(self._get_param("NextToken") or _body(self).get("NextToken") or 0)
    size = int(max_results or 100)
    result: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        result["NextToken"] = str(start + size)
    return json.dumps(result)


def _describe_standards(self: SecurityHubResponse) -> str:
    standards = [
        {
            "StandardsArn": arn,
            "Name": info["Name"],
            "Description": info["Name"],
            "EnabledByDefault": info["EnabledByDefault"],
            "StandardsManagedBy": {"Company": "AWS", "Product": "Security Hub"},
        }
        for arn, info in _catalogue(self.securityhub_backend).items()
    ]
    return _page(self, standards, "Standards", self._get_param("MaxResults"))


def _batch_enable_standards(self: SecurityHubResponse) -> str:
    requests = _body(self).get("StandardsSubscriptionRequests", [])
    return json.dumps({"StandardsSubscriptions": self.securityhub_backend.batch_enable_standards(requests)})


def _get_enabled_standards(self: SecurityHubResponse) -> str:
    body = _body(self)
    subscriptions = self.securityhub_backend.get_enabled_standards(body.get("StandardsSubscriptionArns"))
    return _page(self, subscriptions, "StandardsSubscriptions", body.get("MaxResults"))


def _batch_disable_standards(self: SecurityHubResponse) -> str:
    arns = _body(self).get("StandardsSubscriptionArns", [])
    return json.dumps({"StandardsSubscriptions": self.securityhub_backend.batch_disable_standards(arns)})


def _resource_arn(self: SecurityHubResponse) -> str:
    return unquote(self.path.split("/tags/", 1)[1])


def _tag_resource(self: SecurityHubResponse) -> str:
    _hub_tags(self.securityhub_backend, _resource_arn(self)).update(_body(self).get("Tags") or {})
    return "{}"


def _untag_resource(self: SecurityHubResponse) -> str:
    tags = _hub_tags(self.securityhub_backend, _resource_arn(self))
    for key in self.querystring.get("tagKeys", []):
        tags.pop(key, None)
    return "{}"


def _list_tags_for_resource(self: SecurityHubResponse) -> str:
    return json.dumps({"Tags": _hub_tags(self.securityhub_backend, _resource_arn(self))})


URL_PATHS = {
    "{0}/standards$": SecurityHubResponse.dispatch,
    "{0}/standards/register$": SecurityHubResponse.dispatch,
    "{0}/standards/get$": SecurityHubResponse.dispatch,
    "{0}/standards/deregister$": SecurityHubResponse.dispatch,
    "{0}/tags/(?P<resource_arn>.+)$": SecurityHubResponse.dispatch,
}


def install() -> None:
    """Add the routes, backend operations and request handlers to moto's Security Hub."""
    urls.url_paths.update(URL_PATHS)
    SecurityHubBackend.batch_enable_standards = batch_enable_standards
    SecurityHubBackend.get_enabled_standards = get_enabled_standards
    SecurityHubBackend.batch_disable_standards = batch_disable_standards
    SecurityHubBackend.enable_security_hub = enable_security_hub
    SecurityHubBackend.disable_security_hub = disable_security_hub
    SecurityHubResponse.describe_standards = _describe_standards
    SecurityHubResponse.batch_enable_standards = _batch_enable_standards
    SecurityHubResponse.get_enabled_standards = _get_enabled_standards
    SecurityHubResponse.batch_disable_standards = _batch_disable_standards
    SecurityHubResponse.tag_resource = _tag_resource
    SecurityHubResponse.untag_resource = _untag_resource
    SecurityHubResponse.list_tags_for_resource = _list_tags_for_resource
