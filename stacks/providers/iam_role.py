"""An IAM role: trust policy, session length, permissions boundary, inline and
managed policies, tags.

The permissions boundary is a customer-managed policy owned by the role
(named `<role>-boundary`): whatever the role's own policies say, it can never
do more than the boundary allows. Its document is the `permissions_boundary`
property; updates add a new default policy version.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Sequence

import pulumi
import pulumi.dynamic
from botocore.exceptions import ClientError

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ProviderError,
    ReadResult,
    UpdateResult,
    aws_call,
    aws_failure,
    client,
    error_code,
    is_not_found,
    rollback_on_failure,
    same_json,
    tag_list,
)
from provision.stacks.providers.tag_sync import NOT_MADE_FOR_THIS, apply_tag_changes, made_for, tags_of

# IAM keeps at most five versions of a managed policy.
MAX_POLICY_VERSIONS = 5
# IAM's size quotas, in characters without whitespace (IAM does not count it).
MAX_INLINE_TOTAL = 10_240  # all inline policies of one role together
MAX_MANAGED_POLICY = 6_144  # one managed policy, such as the permissions boundary


def policy_size(document: str) -> int:
    """A policy's size as IAM counts it against its quotas: characters other than whitespace."""
    return len(re.sub(r"\s", "", document))


def check_policy_sizes(role_name: str, props: Mapping[str, Any]) -> None:
    """Refuse, before any call, a role whose policies IAM would refuse (LimitExceeded, MalformedPolicyDocument)."""
    inline = {name: policy_size(doc) for name, doc in (props.get("inline_policies") or {}).items()}
    total = sum(inline.values())
    if total > MAX_INLINE_TOTAL:
        sizes = ", ".join(f"{name} {size:,}" for name, size in sorted(inline.items()))
        raise ProviderError(
            f"IAM role {role_name}: its inline policies total {total:,} characters ({sizes}), over IAM's "
            f"{MAX_INLINE_TOTAL:,} per role; narrow them or move some into a managed policy."
        )
    boundary = props.get("permissions_boundary")
    if boundary and policy_size(boundary) > MAX_MANAGED_POLICY:
        raise ProviderError(
            f"IAM role {role_name}: its permissions boundary has {policy_size(boundary):,} characters, over IAM's "
            f"{MAX_MANAGED_POLICY:,} for a managed policy; narrow it."
        )


def boundary_name(role_name: str) -> str:
    return f"{role_name}-boundary"


def _ignore_missing(what: str, fn, **kwargs) -> None:
    try:
        fn(**kwargs)
    except ClientError as exc:
        if not is_not_found(exc):
            raise aws_failure(what, exc) from exc


class IamRoleProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"role_name"})
    OUTPUTS = frozenset({"arn", "unique_id", "permissions_boundary_arn"})
    UNIQUE_BY = frozenset({"role_name"})
    SET_LIKE = frozenset({"managed_policy_arns"})
    # A vendor's trust policy holds its ExternalId.
    SECRET_KEYS = {"assume_role_policy": frozenset({"sts:ExternalId"})}
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "role_name"
    NOT_FOUND = frozenset({"NoSuchEntity"})
    EXISTENCE_PROBE = "existence:_role"
    TAG_READER = "tags:_iam_role"
    VERIFY_CHECKS = ("iam.vendor-trust", "iam.session-duration", "iam.permissions-boundary", "iam.least-privilege", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        iam = client("iam")
        name = props["role_name"]
        check_policy_sizes(name, props)
        left = self._left_behind(iam, name, props)
        if left is not None:
            # A run killed after CreateRole left it outside the state, tagged as ours: adopt it,
            # taking every setting to what the props say.
            return CreateResult(name, self.update(name, left.outs, props).outs)
        boundary_arn = self._create_boundary(iam, name, props)
        # Undo only what this call made: a name clash must not delete someone else's role.
        with rollback_on_failure(lambda: boundary_arn and self._delete_policy(iam, boundary_arn)):
            kwargs: dict[str, Any] = {
                "RoleName": name,
                "AssumeRolePolicyDocument": props["assume_role_policy"],
                "MaxSessionDuration": int(props.get("max_session_duration") or 3600),
                "Description": props.get("description") or "",
                "Tags": tag_list(props.get("tags")),
            }
            if boundary_arn:
                kwargs["PermissionsBoundary"] = boundary_arn
            role = aws_call(f"IAM role {name}: CreateRole", iam.create_role, **kwargs)["Role"]
        with rollback_on_failure(lambda: self.delete(name, props)):
            self._sync_inline(iam, name, {}, props.get("inline_policies") or {})
            self._sync_managed(iam, name, [], props.get("managed_policy_arns") or [])
        return CreateResult(name, self._outputs(props, role, boundary_arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        iam = client("iam")
        what = f"IAM role {id_}"
        try:
            role = iam.get_role(RoleName=id_)["Role"]
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise ProviderError(f"{what}: GetRole: {error_code(exc)}") from exc
        boundary_arn = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        inline = {
            policy: same_json(
                aws_call(f"{what}: GetRolePolicy {policy}", iam.get_role_policy, RoleName=id_, PolicyName=policy)[
                    "PolicyDocument"
                ],
                (props.get("inline_policies") or {}).get(policy),
            )
            for page in iam.get_paginator("list_role_policies").paginate(RoleName=id_)
            for policy in page["PolicyNames"]
        }
        managed = sorted(
            p["PolicyArn"]
            for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=id_)
            for p in page["AttachedPolicies"]
        )
        wanted = list(props.get("managed_policy_arns") or [])
        if sorted(wanted) == managed:
            managed = wanted  # same set: keep the caller's order so there is no diff
        tags = aws_call(f"{what}: ListRoleTags", iam.list_role_tags, RoleName=id_)["Tags"]
        current = {
            **props,
            "role_name": id_,
            "description": role.get("Description", ""),
            "assume_role_policy": same_json(role["AssumeRolePolicyDocument"], props.get("assume_role_policy")),
            "max_session_duration": role["MaxSessionDuration"],
            "permissions_boundary": self._boundary_document(iam, boundary_arn, props.get("permissions_boundary")),
            "inline_policies": inline,
            "managed_policy_arns": managed,
            "tags": tags_of(tags),
        }
        return ReadResult(id_, self._outputs(current, role, boundary_arn, recorded=props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        iam = client("iam")
        what = f"IAM role {id_}"
        check_policy_sizes(id_, news)
        if olds.get("assume_role_policy") != news["assume_role_policy"]:
            aws_call(
                f"{what}: UpdateAssumeRolePolicy",
                iam.update_assume_role_policy,
                RoleName=id_,
                PolicyDocument=news["assume_role_policy"],
            )
        aws_call(
            f"{what}: UpdateRole",
            iam.update_role,
            RoleName=id_,
            Description=news.get("description") or "",
            MaxSessionDuration=int(news.get("max_session_duration") or 3600),
        )
        boundary_arn = self._update_boundary(iam, id_, olds, news)
        self._sync_inline(iam, id_, olds.get("inline_policies") or {}, news.get("inline_policies") or {})
        self._sync_managed(iam, id_, olds.get("managed_policy_arns") or [], news.get("managed_policy_arns") or [])
        apply_tag_changes(
            olds.get("tags"),
            news.get("tags"),
            tag=lambda t: aws_call(f"{what}: TagRole", iam.tag_role, RoleName=id_, Tags=tag_list(t)),
            untag=lambda keys: aws_call(f"{what}: UntagRole", iam.untag_role, RoleName=id_, TagKeys=keys),
        )
        role = aws_call(f"{what}: GetRole", iam.get_role, RoleName=id_)["Role"]
        return UpdateResult(self._outputs(news, role, boundary_arn))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        iam = client("iam")
        what = f"IAM role {id_}"
        try:
            inline = [
                n
                for page in iam.get_paginator("list_role_policies").paginate(RoleName=id_)
                for n in page["PolicyNames"]
            ]
            attached = [
                p["PolicyArn"]
                for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=id_)
                for p in page["AttachedPolicies"]
            ]
        except ClientError as exc:
            if not is_not_found(exc):
                raise ProviderError(f"{what}: ListRolePolicies: {error_code(exc)}") from exc
            inline, attached = [], []
        # A role must be stripped of its policies before IAM lets it go.
        for policy in inline:
            _ignore_missing(
                f"{what}: DeleteRolePolicy {policy}", iam.delete_role_policy, RoleName=id_, PolicyName=policy
            )
        for arn in attached:
            _ignore_missing(f"{what}: DetachRolePolicy {arn}", iam.detach_role_policy, RoleName=id_, PolicyArn=arn)
        _ignore_missing(f"{what}: DeleteRole", iam.delete_role, RoleName=id_)
        if props.get("permissions_boundary"):
            # Our own boundary only, by its name; never whatever the role points at now.
            self._delete_policy(iam, self._boundary_arn(id_))

    def _left_behind(self, iam, name: str, props: dict[str, Any]) -> ReadResult | None:
        """The role of this name made for these props by an earlier, killed run; None when there is none.

        A role of this name made for anything else is refused, before anything is created.
        """
        try:
            tags = tags_of(iam.list_role_tags(RoleName=name)["Tags"])
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise ProviderError(f"IAM role {name}: ListRoleTags: {error_code(exc)}") from exc
        if not made_for(tags, props.get("tags")):
            raise ProviderError(
                f"IAM role {name}: CreateRole: EntityAlreadyExists: a role with this name already exists. "
                + NOT_MADE_FOR_THIS
            )
        return self.read(name, props)

    def _outputs(
        self,
        props: Mapping[str, Any],
        role: Mapping[str, Any],
        boundary_arn: str | None,
        recorded: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self.outputs(
            props, recorded, arn=role["Arn"], unique_id=role["RoleId"], permissions_boundary_arn=boundary_arn
        )

    @staticmethod
    def _boundary_arn(role_name: str) -> str:
        identity = aws_call("STS: GetCallerIdentity", client("sts").get_caller_identity)
        partition = identity["Arn"].split(":")[1]  # aws, aws-us-gov, aws-cn
        return f"arn:{partition}:iam::{identity['Account']}:policy/{boundary_name(role_name)}"

    def _create_boundary(self, iam, name: str, props: Mapping[str, Any]) -> str | None:
        if not props.get("permissions_boundary"):
            return None
        what = f"IAM role {name}: CreatePolicy {boundary_name(name)}"
        try:
            return iam.create_policy(
                PolicyName=boundary_name(name),
                PolicyDocument=props["permissions_boundary"],
                Description=f"Permissions boundary of role {name}",
                Tags=tag_list(props.get("tags")),
            )["Policy"]["Arn"]
        except ClientError as exc:
            if error_code(exc) != "EntityAlreadyExists":
                raise aws_failure(what, exc) from exc
        # A run killed between this policy and its role left it behind: adopt it if it is ours.
        arn = self._boundary_arn(name)
        tags = tags_of(aws_call(f"IAM policy {arn}: ListPolicyTags", iam.list_policy_tags, PolicyArn=arn)["Tags"])
        if not made_for(tags, props.get("tags")):
            raise ProviderError(f"{what}: EntityAlreadyExists: a policy with this name already exists. {NOT_MADE_FOR_THIS}")
        self._new_default_version(iam, arn, props["permissions_boundary"])
        return arn

    def _update_boundary(self, iam, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> str | None:
        old_doc, new_doc = olds.get("permissions_boundary"), news.get("permissions_boundary")
        what = f"IAM role {name}"
        if not new_doc:
            if old_doc:
                _ignore_missing(
                    f"{what}: DeleteRolePermissionsBoundary", iam.delete_role_permissions_boundary, RoleName=name
                )
                self._delete_policy(iam, self._boundary_arn(name))
            return None
        arn = self._boundary_arn(name)
        try:
            iam.get_policy(PolicyArn=arn)
            exists = True
        except ClientError as exc:
            if not is_not_found(exc):
                raise ProviderError(f"{what}: GetPolicy {arn}: {error_code(exc)}") from exc
            exists = False
        if not exists:
            self._create_boundary(iam, name, news)
        elif old_doc != new_doc:
            self._new_default_version(iam, arn, new_doc)
        aws_call(
            f"{what}: PutRolePermissionsBoundary",
            iam.put_role_permissions_boundary,
            RoleName=name,
            PermissionsBoundary=arn,
        )
        return arn

    @staticmethod
    def _new_default_version(iam, arn: str, document: str) -> None:
        versions = aws_call(f"IAM policy {arn}: ListPolicyVersions", iam.list_policy_versions, PolicyArn=arn)[
            "Versions"
        ]
        old = sorted((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
        if len(versions) >= MAX_POLICY_VERSIONS:
            aws_call(
                f"IAM policy {arn}: DeletePolicyVersion",
                iam.delete_policy_version,
                PolicyArn=arn,
                VersionId=old[0]["VersionId"],
            )
        aws_call(
            f"IAM policy {arn}: CreatePolicyVersion",
            iam.create_policy_version,
            PolicyArn=arn,
            PolicyDocument=document,
            SetAsDefault=True,
        )

    @staticmethod
    def _delete_policy(iam, arn: str) -> None:
        try:
            versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        except ClientError as exc:
            if is_not_found(exc):
                return
            raise ProviderError(f"IAM policy {arn}: ListPolicyVersions: {error_code(exc)}") from exc
        for version in versions:
            if not version["IsDefaultVersion"]:
                _ignore_missing(
                    f"IAM policy {arn}: DeletePolicyVersion",
                    iam.delete_policy_version,
                    PolicyArn=arn,
                    VersionId=version["VersionId"],
                )
        _ignore_missing(f"IAM policy {arn}: DeletePolicy", iam.delete_policy, PolicyArn=arn)

    @staticmethod
    def _boundary_document(iam, arn: str | None, desired: str | None) -> str | None:
        if not arn:
            return None
        policy = aws_call(f"IAM policy {arn}: GetPolicy", iam.get_policy, PolicyArn=arn)["Policy"]
        version = aws_call(
            f"IAM policy {arn}: GetPolicyVersion",
            iam.get_policy_version,
            PolicyArn=arn,
            VersionId=policy["DefaultVersionId"],
        )["PolicyVersion"]
        return same_json(version["Document"], desired)

    @staticmethod
    def _sync_inline(iam, name: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
        for policy in sorted(old.keys() - new.keys()):
            _ignore_missing(
                f"IAM role {name}: DeleteRolePolicy {policy}", iam.delete_role_policy, RoleName=name, PolicyName=policy
            )
        for policy, document in sorted(new.items()):
            if old.get(policy) != document:
                aws_call(
                    f"IAM role {name}: PutRolePolicy {policy}",
                    iam.put_role_policy,
                    RoleName=name,
                    PolicyName=policy,
                    PolicyDocument=document,
                )

    @staticmethod
    def _sync_managed(iam, name: str, old: Sequence[str], new: Sequence[str]) -> None:
        for arn in sorted(set(old) - set(new)):
            _ignore_missing(
                f"IAM role {name}: DetachRolePolicy {arn}", iam.detach_role_policy, RoleName=name, PolicyArn=arn
            )
        for arn in sorted(set(new) - set(old)):
            aws_call(f"IAM role {name}: AttachRolePolicy {arn}", iam.attach_role_policy, RoleName=name, PolicyArn=arn)


def trust_policy(principal: Mapping[str, Any], *, external_id: str | None = None) -> str:
    """A trust policy letting `principal` (e.g. {"Service": "backup.amazonaws.com"}
    or {"AWS": "arn:aws:iam::111122223333:root"}) assume the role, optionally
    only with the given sts:ExternalId."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": dict(principal), "Action": "sts:AssumeRole"}
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, sort_keys=True)


class IamRole(pulumi.dynamic.Resource, module="aws", name="IamRole"):
    """An IAM role; the id is the role name, `arn` its ARN."""

    arn: pulumi.Output[str]
    unique_id: pulumi.Output[str]
    permissions_boundary_arn: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        role_name: pulumi.Input[str],
        assume_role_policy: pulumi.Input[str],
        description: str = "",
        max_session_duration: int = 3600,
        permissions_boundary: pulumi.Input[str] | None = None,
        inline_policies: Mapping[str, pulumi.Input[str]] | pulumi.Output[Mapping[str, str]] | None = None,
        managed_policy_arns: Sequence[pulumi.Input[str]] = (),
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "role_name": role_name,
            "assume_role_policy": assume_role_policy,
            "description": description,
            "max_session_duration": max_session_duration,
            "permissions_boundary": permissions_boundary,
            # An Output when which policies exist is known only at apply (an ops role's runbook).
            "inline_policies": inline_policies if isinstance(inline_policies, pulumi.Output) else dict(inline_policies or {}),
            "managed_policy_arns": list(managed_policy_arns),
            "tags": dict(tags or {}),
            "arn": None,
            "unique_id": None,
            "permissions_boundary_arn": None,
        }
        super().__init__(IamRoleProvider(), resource_name, props, opts)
