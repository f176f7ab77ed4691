"""boundary ∩ allow − deny, on literal policy documents."""

from __future__ import annotations

import json

from provision.stacks.access.evaluate import Grant, covers, describe_condition, evaluate

BUCKET = "arn:aws:s3:::drop"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resources, condition=None) -> dict:
    stmt = {"Effect": "Allow", "Action": actions, "Resource": resources}
    return {**stmt, "Condition": condition} if condition else stmt


def test_without_boundary_every_allowed_pair_is_granted() -> None:
    result = evaluate({"p": doc(allow(["s3:GetObject", "s3:PutObject"], [f"{BUCKET}/a/*"]))}, None)
    assert result.grants == {Grant("s3:GetObject", f"{BUCKET}/a/*"), Grant("s3:PutObject", f"{BUCKET}/a/*")}


def test_the_boundary_caps_actions_and_resources() -> None:
    policy = doc(allow(["s3:GetObject", "s3:DeleteObject"], [f"{BUCKET}/a/*", "arn:aws:s3:::other/*"]))
    boundary = doc(allow(["s3:GetObject"], [f"{BUCKET}/*"]))
    assert evaluate({"p": policy}, boundary).grants == {Grant("s3:GetObject", f"{BUCKET}/a/*")}


def test_an_unconditional_deny_removes_and_a_conditional_one_is_noted() -> None:
    policy = doc(allow(["s3:GetObject", "s3:PutObject"], [f"{BUCKET}/*"]),
                 {"Effect": "Deny", "Action": "s3:Put*", "Resource": "*"},
                 {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}})  # fmt: skip
    result = evaluate({"p": policy}, None)
    assert result.grants == {Grant("s3:GetObject", f"{BUCKET}/*")}
    assert result.notes == [f"s3:GetObject on {BUCKET}/*: denied only under a condition, kept as granted"]


def test_a_boundary_deny_applies_too() -> None:
    policy = doc(allow(["kms:Decrypt", "kms:DisableKey"], ["arn:aws:kms:eu-west-1:1:key/k"]))
    boundary = doc(allow(["kms:*"], ["*"]), {"Effect": "Deny", "Action": ["kms:DisableKey"], "Resource": "*"})
    assert evaluate({"p": policy}, boundary).grants == {Grant("kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/k")}


def test_wildcard_actions_are_expanded_then_capped() -> None:
    grants = evaluate({"p": doc(allow("s3:*", [BUCKET]))}, doc(allow(["s3:ListBucket"], [BUCKET]))).grants
    assert grants == {Grant("s3:ListBucket", BUCKET)}


def test_conditions_are_kept_and_merged_with_the_boundarys() -> None:
    prefix = {"StringLike": {"s3:prefix": ["partners/x/*"]}}
    via = {"StringEquals": {"aws:ResourceTag/provision:plan": "p"}}
    [grant] = evaluate({"p": doc(allow("s3:ListBucket", BUCKET, prefix))}, doc(allow("s3:ListBucket", BUCKET, via))).grants
    assert json.loads(grant.condition) == {**prefix, **via}
    assert describe_condition(grant.condition) == "tagged provision:plan=p; prefix partners/x/*"


def test_not_action_is_reported_not_evaluated() -> None:
    result = evaluate({"p": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})}, None)
    assert result.notes == ["policy p: a NotAction/NotResource statement is not evaluated"]
    assert [g.action for g in result.grants] == ["not-evaluated:p"]


def test_patterns() -> None:
    assert covers("arn:aws:s3:::drop/*", "arn:aws:s3:::drop/partners/x/*")
    assert not covers("arn:aws:s3:::drop/partners/x/*", "arn:aws:s3:::drop/partners/y/a.csv")
    assert covers("s3:get*", "s3:GetObject")
    assert not covers("arn:aws:s3:::drop", "arn:aws:s3:::drop-logs")
