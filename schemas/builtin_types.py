"""The six built-in function types, listed explicitly (no registration by import).

Their settings sections are in the published schema (outsourcing-plan.v1.json);
their usage assumptions in the price table (policies/cost/aws-prices.v1.json).
"""

from __future__ import annotations

from provision.schemas.function_types import FunctionType

_PRICERS = "provision.policies.cost.pricers"
_ACCESS = "provision.stacks.functions.iam_policies"
_NAMES = "provision.schemas.plan_names"
_COVERAGE = "provision.stacks.verify.coverage"
_ALARMS = "provision.stacks.functions.monitoring_alarms"

BUILTIN_TYPES: tuple[FunctionType, ...] = (
    FunctionType(
        name="hosting",
        section="hosting",
        program="provision.stacks.functions.hosting",
        cost=f"{_PRICERS}:hosting",
        stored_gb=f"{_PRICERS}:hosting_stored_gb",
        kinds=("KmsKey", "S3Bucket", "CloudFrontDistribution"),
        holds_data=True,
        data_in_s3=True,
        access=f"{_ACCESS}:hosting",
        alarms=f"{_ALARMS}:hosting_alarms",
        names=f"{_NAMES}:hosting_names",
        setting_defaults={"priceClass": "PriceClass_100", "indexDocument": "index.html"},
    ),
    FunctionType(
        name="backup",
        section="backup",
        program="provision.stacks.functions.backup",
        cost=f"{_PRICERS}:backup",
        kinds=("KmsKey", "BackupVault", "BackupPlan", "BackupSelection"),
        depends_on="protects",
        access=f"{_ACCESS}:backup",
        alarms=f"{_ALARMS}:backup_alarms",
        names=f"{_NAMES}:backup_names",
        setting_defaults={"immutable": False},
    ),
    FunctionType(
        name="security-monitoring",
        section="securityMonitoring",
        program="provision.stacks.functions.security_monitoring",
        cost=f"{_PRICERS}:security_monitoring",
        kinds=("KmsKey", "SnsTopic"),
        more_kinds=f"{_COVERAGE}:service_kinds",
        access=f"{_ACCESS}:security_monitoring",
        no_alarms_because="it publishes no metric of its own health (its findings go to its alert contacts)",
        names=f"{_NAMES}:security_names",
        setting_defaults={"trailRetentionDays": 365},
    ),
    FunctionType(
        name="network",
        section="network",
        program="provision.stacks.functions.network",
        cost=f"{_PRICERS}:network",
        kinds=("Vpc", "Subnet", "FlowLog"),
        access=f"{_ACCESS}:network",
        alarms=f"{_ALARMS}:network_alarms",
        names=f"{_NAMES}:network_names",
        setting_defaults={"azs": 2, "nat": False, "flowLogRetentionDays": 90},
    ),
    FunctionType(
        name="monitoring",
        section="monitoring",
        program="provision.stacks.functions.monitoring",
        cost=f"{_PRICERS}:monitoring",
        kinds=("SnsTopic",),
        depends_on="watches",
        access=f"{_ACCESS}:monitoring",
        names=f"{_NAMES}:monitoring_names",
    ),
    FunctionType(
        name="data-exchange",
        section="dataExchange",
        program="provision.stacks.functions.data_exchange",
        cost=f"{_PRICERS}:data_exchange",
        stored_gb=f"{_PRICERS}:data_exchange_stored_gb",
        kinds=("KmsKey", "S3Bucket"),
        more_kinds=f"{_COVERAGE}:sftp_kinds",
        holds_data=True,
        data_in_s3=True,
        access=f"{_ACCESS}:data_exchange",
        alarms=f"{_ALARMS}:exchange_alarms",
        names=f"{_NAMES}:exchange_names",
        setting_defaults={"sftp": False},
    ),
)
