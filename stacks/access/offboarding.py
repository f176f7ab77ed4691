"""What to revoke or rotate when a vendor leaves.

- its roles (each by name and ARN) and the ExternalId its trust relies on;
- its SFTP users (and the SSH keys registered on them) and its partner
  prefixes in the drop zones, whose files are to be returned or deleted;
- the alert subscriptions of its addresses (its contacts, and any address of
  their domains the plan subscribes) and its contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from provision.schemas.model import Plan
from provision.stacks.access.placeholders import partners
from provision.stacks.access.planned import VendorRoles
from provision.stacks.functions.data_exchange_policies import partner_prefix


@dataclass(frozen=True, order=True)
class Item:
    kind: str  # role | external-id | sftp-user | partner-prefix | alert-subscription | contact
    target: str  # what to act on: an ARN, a reference, s3://bucket/prefix, topic ARN, address
    action: str  # what to do, one line
    function: str = ""  # the function concerned; "" for vendor-wide items


def _alert_lists(plan: Plan) -> list[tuple[str, str, list[str]]]:
    """(function, topic output key, addresses) of every alert topic, as the stacks subscribe them."""
    found = []
    for fn in plan.functions.values():
        contacts = list(plan.provider_of(fn).contacts)
        if fn.type == "security-monitoring":
            found.append((fn.name, "alerts_topic_arn", sorted(set(fn.settings["alerts"].get("notify", ())) | set(contacts))))
        elif fn.type == "monitoring":
            found.append((fn.name, "topic_arn", sorted(set(fn.settings.get("notify", ())) | set(contacts))))
    return found


def offboarding(plan: Plan, roles: VendorRoles, outputs: Mapping[str, Mapping[str, Any]]) -> list[Item]:
    vendor = roles.vendor
    items = [Item("role", r.arn, f"delete role {r.name} ({r.kind})") for r in roles.roles if r.kind != "sftp-user"]
    if vendor.external_id_ref and items:
        items.append(Item("external-id", vendor.external_id_ref, "rotate the ExternalId (the roles' trust relies on it)"))
    for fn in plan.functions.values():
        if fn.type != "data-exchange" or vendor.name not in partners(fn):
            continue
        out = outputs.get(fn.name, {})
        bucket = out.get("bucket_name") or str(out.get("bucket_arn", "")).removeprefix("arn:aws:s3:::")
        items.append(Item("partner-prefix", f"s3://{bucket}/{partner_prefix(vendor.name)}",
                          "return or delete the files, then drop the prefix", fn.name))  # fmt: skip
        if fn.settings.get("sftp"):
            user_role = next(r for r in roles.roles if r.kind == "sftp-user" and r.policy_functions.get("drop-zone") == fn.name)
            items.append(Item("sftp-user", f"{out.get('server_id', '')}/{vendor.name}",
                              f"delete the SFTP user and its SSH keys, then role {user_role.name}", fn.name))  # fmt: skip
    domains = {c.rsplit("@", 1)[-1].lower() for c in vendor.contacts}
    for fn, key, addresses in _alert_lists(plan):
        topic = str(outputs.get(fn, {}).get(key, f"{{{fn}.alerts}}"))
        for address in addresses:
            if address in vendor.contacts or address.rsplit("@", 1)[-1].lower() in domains:
                items.append(Item("alert-subscription", f"{topic} {address}", "unsubscribe the address", fn))
    items += [Item("contact", c, "remove from on-call and escalation lists") for c in vendor.contacts]
    return items
