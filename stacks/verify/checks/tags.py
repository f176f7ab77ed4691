"""Every resource carries the provision:* tags with the right values.

Tags are read live, one reader per kind of resource (each AWS service has its
own tagging call and shape); stacks.verify.owners says what is expected.
"""

from __future__ import annotations

from typing import Callable, Iterator

from provision.stacks.providers.budget import BUDGETS_REGION
from provision.stacks.providers.tag_sync import tags_of
from provision.stacks.verify import declared
from provision.stacks.verify.checks.s3 import unless_unset
from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok
from provision.stacks.verify.owners import expected_tags

TagReader = Callable[[LiveResource, VerifyContext], "dict[str, str] | None"]


def _s3(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    answer = unless_unset(ctx.client("s3", res).get_bucket_tagging, Bucket=res.id)
    return tags_of((answer or {}).get("TagSet"))


def _kms(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    answer = ctx.client("kms", res).list_resource_tags(KeyId=res.arn)
    return tags_of(answer.get("Tags"), "TagKey", "TagValue")


def _iam_role(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    return tags_of(ctx.client("iam", res).list_role_tags(RoleName=res.id)["Tags"])


def _arn_list(service: str, arn_key: str) -> TagReader:
    """Services answering ListTagsForResource(<arn_key>=arn) with [{Key, Value}]."""

    def read(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
        return tags_of(ctx.client(service, res).list_tags_for_resource(**{arn_key: res.arn})["Tags"])

    return read


def _arn_map(service: str, call: str, arn_key: str) -> TagReader:
    """Services answering <call>(<arn_key>=arn) with a plain {key: value} map."""

    def read(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
        return dict(getattr(ctx.client(service, res), call)(**{arn_key: res.arn})["Tags"] or {})

    return read


def _log_group(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    arn = res.arn.removesuffix(":*")
    return dict(ctx.client("logs", res).list_tags_for_resource(resourceArn=arn)["tags"] or {})


def _trail(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    listed = ctx.client("cloudtrail", res).list_tags(ResourceIdList=[res.arn])["ResourceTagList"]
    return tags_of(listed[0].get("TagsList") if listed else [])


def _config_recorder(res: LiveResource, ctx: VerifyContext) -> dict[str, str] | None:
    if not res.outputs.get("recorder_arn"):
        return None  # AWS reported no recorder ARN, so its tags cannot be asked for
    return _arn_list("config", "ResourceArn")(res, ctx)


def _cloudfront(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    answer = ctx.client("cloudfront", res).list_tags_for_resource(Resource=res.arn)
    return tags_of(answer["Tags"].get("Items"))


def _ec2(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    pages = ctx.client("ec2", res).get_paginator("describe_tags").paginate(
        Filters=[{"Name": "resource-id", "Values": [res.id]}]
    )
    return tags_of([t for page in pages for t in page["Tags"]])


def _budget(res: LiveResource, ctx: VerifyContext) -> dict[str, str]:
    answer = ctx.clients("budgets", BUDGETS_REGION).list_tags_for_resource(ResourceARN=res.arn)
    return tags_of(answer.get("ResourceTags"))


# kind -> how to read its live tags (its provider's TAG_READER, naming one of the above
# or its own). Kinds AWS cannot tag (a dashboard, a backup selection) are absent.
TAG_READERS: dict[str, TagReader] = declared.refs("TAG_READER")


@check("tags")
def required_tags(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The provision:* tags are present, with the values the plan gives them.

    An adopted account singleton (a landing zone's detector, hub or recorder)
    is not ours: provision leaves its tags alone, so none are expected.
    """
    if res.outputs.get("adopted"):
        yield ok("adopted from the account, not owned: its tags are the landing zone's")
        return
    reader = TAG_READERS.get(res.kind)
    live = reader(res, ctx) if reader is not None else None
    if live is None:
        return
    wanted = expected_tags(res, ctx.plan)
    missing = sorted(k for k in wanted if k not in live)
    wrong = sorted(f"{k}={live[k]!r} (expected {v!r})" for k, v in wanted.items() if k in live and live[k] != v)
    if missing or wrong:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + wrong
        yield fail("; ".join(problems))
    else:
        yield ok(", ".join(f"{k}={v}" for k, v in sorted(wanted.items())))
