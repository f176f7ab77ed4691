"""A function type outside the built-ins, declared in this one module: a message queue.

Nothing else in the repository names it; registering MESSAGE_QUEUE is what
makes plans with `type: message-queue` valid, buildable, priced and verified.
"""

from __future__ import annotations

from typing import Any, Iterator

from provision.schemas.function_types import FunctionType
from provision.stacks.functions.base import FunctionComponent, FunctionContext
from provision.stacks.providers.sns_topic import SnsTopic

SETTINGS_SCHEMA: dict[str, Any] = {
    "title": "Message queue settings",
    "description": "How long messages are kept. Required when type is `message-queue`.",
    "type": "object",
    "properties": {
        "retentionDays": {"title": "Retention", "type": "integer", "minimum": 1, "maximum": 14},
    },
    "required": ["retentionDays"],
    "additionalProperties": False,
}


def build(ctx: FunctionContext) -> FunctionComponent:
    component = FunctionComponent(ctx.function)
    topic = SnsTopic(
        f"{ctx.function.name}-queue",
        name=ctx.physical_name("queue", kind="sns-topic"),
        tags=ctx.tags(),
        opts=ctx.resource_opts(component),
    )
    return component.finish(topic_arn=topic.arn)


def cost(pricer, function, usage) -> dict[str, float]:
    stored_gb = usage["ingestGBPerDay"] * function.settings["retentionDays"]
    return {
        "queue storage": stored_gb * pricer.p("s3", "storageGBMonth"),
        "queue notifications": pricer.emails(usage["notifications"]),
    }


def names(plan, function) -> Iterator[tuple]:
    yield "queue", "sns-topic", "queue topic", function.path


MESSAGE_QUEUE = FunctionType(
    name="message-queue",
    section="messageQueue",
    description="A queue of messages between the organisation's systems.",
    settings_schema=SETTINGS_SCHEMA,
    program=__name__,
    cost=cost,
    usage={"ingestGBPerDay": 2, "notifications": 50_000},
    kinds=("SnsTopic",),
    names=names,
)
