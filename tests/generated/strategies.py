"""Valid outsourcing plans, generated: a hypothesis strategy and a seeded twin.

One generator, two sources of choices: `plans()` draws through hypothesis (it
shrinks), `plan_from_seed(seed, **knobs)` through `random.Random(seed)` (a
fixed, reproducible set for the engine tests and `make fuzz-e2e`). Either way
the plan is built to pass every mandatory policy by construction, not by
asking `validate`; the tests check that it does.

Shapes covered: the six function types, 0-4 external vendors (msp and bpo),
data-exchange partners, names up to the schema's limits, home and copy
regions of every residency, 1 zone up to what the sandbox region has,
optional settings on and off, waivers.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from hypothesis import strategies as st

from tests.yaml_text import yaml_text

# The schema's limits (schemas/outsourcing-plan.v1.json): metadata.name, and function/provider names.
MAX_PLAN_NAME = 40
MAX_FUNCTION_NAME = 31
MAX_PROVIDER_NAME = 31
MAX_AZS = 6
TYPES = ("hosting", "backup", "security-monitoring", "network", "monitoring", "data-exchange")
SECTION = {
    "hosting": "hosting",
    "backup": "backup",
    "security-monitoring": "securityMonitoring",
    "network": "network",
    "monitoring": "monitoring",
    "data-exchange": "dataExchange",
}
DATA_HOLDING = ("hosting", "data-exchange")
SENSITIVE = ("pii", "regulated")
# Lowest availability each tier may promise (PRV-SLA-001's defaults).
MIN_AVAILABILITY = {"critical": 99.9, "important": 99.5, "standard": 99.0}
# Highest RPO each protected tier allows (PRV-BAK-001's defaults).
MAX_RPO = {"critical": 24, "important": 72, "standard": 168}

# Regions the sandbox serves, per residency (policies/residency.py), with the
# sandbox's zones for each: moto 5.2.1's table, written out so that a change
# of moto shows here. Zone letters are not always a, b, c (ca-central-1,
# ap-northeast-1).
ZONES: dict[str, tuple[str, ...]] = {
    "eu-west-1": ("a", "b", "c"),
    "eu-central-1": ("a", "b", "c"),
    "eu-north-1": ("a", "b", "c"),
    "eu-west-3": ("a", "b", "c"),
    "eu-south-1": ("a", "b", "c"),
    "eu-west-2": ("a", "b", "c"),
    "eu-central-2": ("a", "b", "c"),
    "us-east-1": ("a", "b", "c", "d", "e", "f"),
    "us-east-2": ("a", "b", "c"),
    "us-west-1": ("a", "b"),
    "us-west-2": ("a", "b", "c", "d"),
    "ca-central-1": ("a", "b", "d"),
    "ca-west-1": ("a", "b", "c"),
    "ap-northeast-1": ("a", "c", "d"),
    "ap-southeast-2": ("a", "b", "c"),
    "ap-south-1": ("a", "b", "c"),
    "ap-southeast-1": ("a", "b", "c"),
    "sa-east-1": ("a", "b", "c"),
}
RESIDENCY_REGIONS: dict[str, tuple[str, ...]] = {
    "eu": ("eu-west-1", "eu-central-1", "eu-north-1", "eu-west-3", "eu-south-1"),
    "uk": ("eu-west-2",),
    "ch": ("eu-central-2",),
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "ca": ("ca-central-1", "ca-west-1"),
    "au": ("ap-southeast-2",),
    "jp": ("ap-northeast-1",),
    "sg": ("ap-southeast-1",),
    "in": ("ap-south-1",),
    "apac": ("ap-northeast-1", "ap-southeast-2", "ap-south-1", "ap-southeast-1"),
    "global": tuple(ZONES),
}
COUNTRIES = {
    "eu": ("IE", "DE", "FR", "NL", "NO"),
    "uk": ("GB",),
    "ch": ("CH",),
    "us": ("US",),
    "ca": ("CA",),
    "au": ("AU",),
    "jp": ("JP",),
    "sg": ("SG",),
    "in": ("IN",),
    "apac": ("AU", "JP", "SG"),
    "global": ("US", "IE", "IN", "BR"),
}
GDPR_RESIDENCIES = ("eu", "uk", "ch")
# Groupings of several jurisdictions: personal or regulated data handed to a vendor needs a national one (PRV-RES-002).
GROUPINGS = ("apac",)
WORDS = (
    "acme", "north", "ledger", "care", "bridge", "claims", "payroll", "site", "portal", "vault", "soc",
    "ops", "net", "edge", "files", "kyc", "retail", "harbour", "alpine", "delta", "summit", "orbit",
)  # fmt: skip
RUNBOOK_ACTIONS = ("cloudfront:CreateInvalidation", "ec2:RebootInstances", "backup:StartBackupJob")
SERVICES = ("guardduty", "cloudtrail", "securityhub", "config")
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
FLOW_LOG_DAYS = (1, 7, 30, 90, 365, 400, 3653)
# Advisory policies a generated plan may waive (waivers are part of the format, not a way to pass).
WAIVABLE = ("PRV-SUS-001", "PRV-GDPR-004", "PRV-VEN-004", "PRV-BUD-002")
# Budgets generous enough for anything generated here (PRV-BUD-003): a backup of four functions
# every hour, kept six years, is estimated at about $12,500 a month. The plan's budget covers
# the functions' budgets, which must not add up to more.
FUNCTION_BUDGET_USD = 25000
PLAN_BUDGET_USD = 100000


class Picker:
    """The choices the generator makes; two sources implement them."""

    def integer(self, low: int, high: int) -> int: ...
    def choice(self, items: Sequence[Any]) -> Any: ...
    def boolean(self, p_true: float = 0.5) -> bool: ...

    def subset(self, items: Sequence[Any], low: int, high: int) -> list[Any]:
        pool = list(items)
        chosen = []
        for _ in range(self.integer(low, min(high, len(pool)))):
            chosen.append(pool.pop(self.integer(0, len(pool) - 1)))
        return chosen


class SeededPicker(Picker):
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, items: Sequence[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def boolean(self, p_true: float = 0.5) -> bool:
        return self.rng.random() < p_true


class DrawPicker(Picker):
    def __init__(self, draw: Callable[[st.SearchStrategy], Any]):
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def choice(self, items: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(items)))

    def boolean(self, p_true: float = 0.5) -> bool:
        return self.draw(st.booleans())


@dataclass(frozen=True)
class Knobs:
    """What a plan must contain; None leaves it to chance."""

    types: tuple[str, ...] = ()  # function types that must appear (others may too)
    vendors: int | None = None  # external vendors, 0-4
    long_names: bool = False  # plan, function and provider names at the schema's maximum
    partners: int | None = None  # partners on the first data exchange
    copy_region: bool | None = None
    azs: int | None = None  # zones of the first network function; MAX_AZS: all the region has
    residency: str | None = None
    max_functions: int = 7


def name(p: Picker, length: int, taken: set[str] = frozenset()) -> str:
    """A readable name of `length` characters (longer if a short one is taken): lowercase words and hyphens.

    Names of one plan start with different words, as real names do: today's cut
    names keep only the start of a long function name (see XREF-DUPLICATE).
    """
    used = {t.split("-")[0] for t in taken}
    text = p.choice([w for w in WORDS if w not in used] or WORDS)
    while len(text) < max(length, 12):
        text += "-" + p.choice(WORDS)
    while True:
        candidate = text[:length].rstrip("-")
        if len(candidate) < length:
            candidate += "x"
        if all(candidate[:12] != other[:12] for other in taken):
            return candidate
        length += 1


def generate(p: Picker, knobs: Knobs = Knobs(), today: dt.date | None = None) -> dict[str, Any]:
    """A plan document (a dict, ready for yaml_text) that passes `provision validate`."""
    today = today or dt.date.today()
    residency = knobs.residency or p.choice(tuple(RESIDENCY_REGIONS))
    regions = RESIDENCY_REGIONS[residency]
    if knobs.azs == MAX_AZS:  # only us-east-1 has six zones
        residency, regions = ("us", ("us-east-1",)) if residency not in ("us", "global") else (residency, ("us-east-1",))
    if knobs.copy_region and len(regions) == 1 and knobs.azs != MAX_AZS:
        residency = p.choice(("eu", "us", "ca", "apac"))
        regions = RESIDENCY_REGIONS[residency]
    region = p.choice(regions)
    copy_choices = [r for r in RESIDENCY_REGIONS[residency] if r != region]
    environment = p.choice(("dev", "test", "staging", "prod"))
    long = knobs.long_names
    plan_name = name(p, MAX_PLAN_NAME if long else p.integer(3, 24))

    # Vendors.
    n_vendors = knobs.vendors if knobs.vendors is not None else p.integer(0, 4)
    providers: dict[str, dict[str, Any]] = {"aws": {"type": "cloud"}}
    vendor_names: list[str] = []
    for i in range(n_vendors):
        vname = name(p, MAX_PROVIDER_NAME if long else p.integer(3, 16), set(providers))
        vendor_names.append(vname)
        vendor: dict[str, Any] = {
            "type": p.choice(("msp", "bpo")),
            "accountId": f"{210987654300 + 11 * i + p.integer(0, 9):012d}",
            "externalIdRef": "env:GEN_" + vname.upper().replace("-", "_") + "_EXTERNAL_ID",
            "country": p.choice(COUNTRIES[residency]),
            "support": "24x7",
            "exitPlan": f"docs/exit/{vname}.md",
            "contractEnds": (today + dt.timedelta(days=p.integer(400, 2000))).isoformat(),
            "contacts": [f"ops@{vname}.example"],
        }
        providers[vname] = vendor

    # Function types: the required ones, then some more.
    types = list(knobs.types)
    for _ in range(p.integer(0 if types else 1, max(0, knobs.max_functions - len(types)))):
        types.append(p.choice(TYPES))
    if not vendor_names:
        types = [t for t in types if t != "data-exchange"] or ["hosting"]
    types = [t for i, t in enumerate(types) if t != "security-monitoring" or "security-monitoring" not in types[:i]]
    if "data-exchange" in types:  # PRV-BPO-001: backed up and watched
        types += [t for t in ("backup", "security-monitoring") if t not in types]
    if set(types) <= {"backup", "monitoring"}:  # both need another function to protect or watch
        types.append("hosting")
    order = sorted(range(len(types)), key=lambda i: TYPES.index(types[i]))
    types = [types[i] for i in order]

    functions: dict[str, dict[str, Any]] = {}
    for ftype in types:
        fname = name(p, MAX_FUNCTION_NAME if long else p.integer(1, 14), set(functions) | set(providers))
        operator = p.choice(["aws", *vendor_names]) if vendor_names else "aws"
        functions[fname] = {"type": ftype, "provider": operator}
    names_of = lambda t: [n for n, f in functions.items() if f["type"] == t]  # noqa: E731

    # Tier, data and SLA; at most two critical functions per vendor (PRV-VEN-001).
    critical_at: dict[str, int] = {}
    for fname, fn in functions.items():
        tier = p.choice(("critical", "important", "standard"))
        if tier == "critical" and critical_at.get(fn["provider"], 0) >= 2 and fn["provider"] != "aws":
            tier = "important"
        if tier == "critical" and fn["type"] in DATA_HOLDING and "backup" not in types:
            tier = "important"  # PRV-BAK-004: critical data is backed up
        critical_at[fn["provider"]] = critical_at.get(fn["provider"], 0) + (tier == "critical")
        if tier != "standard" or p.boolean():
            fn["tier"] = tier
        data = p.choice(("public", "internal", "confidential", "pii", "regulated"))
        if data in SENSITIVE and "security-monitoring" not in types:
            data = "confidential"  # PRV-SEC-001: sensitive data is watched
        if data in SENSITIVE and residency in GROUPINGS and vendor_names:
            data = "confidential"  # PRV-RES-002: a vendor may run it or receive it, under no one law
        if p.boolean(0.7) or data != "internal":
            fn["data"] = data
        if p.boolean() or (tier != "standard" and fn["provider"] != "aws"):  # PRV-SLA-001
            low = MIN_AVAILABILITY[tier]
            sla: dict[str, Any] = {"availability": p.choice([a for a in (99.0, 99.5, 99.9, 99.95, 99.99) if a >= low])}
            if p.boolean():
                sla["responseMinutes"] = p.choice((15, 30, 60, 240))
            if p.boolean(0.3):
                sla["errorRatePercent"] = p.choice((0.5, 1, 5))
            fn["sla"] = sla
        if p.boolean(0.2):
            fn["budget"] = {"monthlyUSD": FUNCTION_BUDGET_USD}
    tier_of = lambda n: functions[n].get("tier", "standard")  # noqa: E731
    data_of = lambda n: functions[n].get("data", "internal")  # noqa: E731

    # Compliance, only what the plan can meet.
    compliance: list[str] = []
    if "security-monitoring" in types:
        for regime in ("gdpr", "pci-dss", "hipaa", "soc2", "iso27001"):
            if regime == "gdpr" and residency not in GDPR_RESIDENCIES:
                continue
            if regime == "hipaa" and "backup" not in types and any(
                functions[n]["type"] in DATA_HOLDING and data_of(n) in SENSITIVE for n in functions
            ):
                continue
            if p.boolean(0.3):
                compliance.append(regime)
    sensitive = any(data_of(n) in SENSITIVE for n in functions)

    # Settings per type.
    holding = [n for n in functions if functions[n]["type"] in DATA_HOLDING]
    waivers: list[dict[str, Any]] = []
    backups = names_of("backup")
    for fname, fn in functions.items():
        ftype, s = fn["type"], {}
        if ftype == "hosting":
            s["kind"] = "static-site"
            if p.boolean():
                s["priceClass"] = p.choice(PRICE_CLASSES)
            if p.boolean(0.3):
                s["indexDocument"] = p.choice(("index.html", "home.htm", "default_page.html"))
        elif ftype == "backup":
            # The first backup protects every data-holding function (PRV-BAK-004, HIPAA, BPO); others some.
            # Not monitoring: it may watch this backup, and the two would form a cycle (XREF-CYCLE).
            candidates = [n for n in functions if functions[n]["type"] not in ("backup", "monitoring")]
            protects = (holding if fname == backups[0] else []) or p.subset(candidates, 1, 3)
            s["protects"] = protects
            watched = protects + [fname]
            tightest = min(MAX_RPO[tier_of(n)] for n in watched if n in functions)
            s["rpoHours"] = p.choice([h for h in (1, 4, 12, 24, 72, 168) if h <= tightest])
            s["retentionDays"] = p.choice((35, 90, 365, 2190)) if any(data_of(n) in SENSITIVE for n in watched) else p.choice((1, 7, 35))
            strict = any(tier_of(n) == "critical" or data_of(n) in SENSITIVE for n in watched)
            if strict or p.boolean(0.3):
                s["immutable"] = True
            if copy_choices and (strict or knobs.copy_region or p.boolean(0.3)) and knobs.copy_region is not False:
                s["copyToRegion"] = p.choice(copy_choices)
            elif strict:  # a residency of one region has nowhere to copy to
                waivers.append(_waiver(p, "PRV-BAK-003", today, plan_name, fname, "The residency has a single region."))
        elif ftype == "security-monitoring":
            needed = {"guardduty", "cloudtrail"} if (sensitive or compliance) else set()
            services = needed | set(p.subset(SERVICES, 0 if needed else 1, 4))
            s["services"] = [x for x in SERVICES if x in services]
            if "hipaa" in compliance:
                s["trailRetentionDays"] = 2190
            elif "pci-dss" in compliance:
                s["trailRetentionDays"] = p.choice((365, 400, 2555))
            elif p.boolean():
                s["trailRetentionDays"] = p.choice((30, 365, 2555))
            s["alerts"] = {"minSeverity": p.choice(("low", "medium", "high", "critical")),
                           "notify": [f"soc{i}@{plan_name}.example" for i in range(p.integer(1, 3))]}  # fmt: skip
        elif ftype == "network":
            first = fname == names_of("network")[0]
            zones = len(ZONES[region])
            azs = min(knobs.azs, zones) if (first and knobs.azs) else p.integer(1, zones)
            prefix = p.integer(16, 24)
            s["cidr"] = _network_of(f"10.{p.integer(0, 255)}.{p.integer(0, 255)}.0/{prefix}")
            if azs != 2 or p.boolean():
                s["azs"] = azs
            if p.boolean(0.4):
                s["nat"] = p.boolean()
            if p.boolean():
                s["flowLogRetentionDays"] = p.choice(FLOW_LOG_DAYS)
        elif ftype == "monitoring":
            others = [n for n in functions if functions[n]["type"] != "monitoring"]
            s["watches"] = p.subset(others, 1, 4)
            s["notify"] = [f"oncall@{plan_name}.example"]
            if p.boolean(0.5):
                s["runbookActions"] = p.subset(RUNBOOK_ACTIONS, 1, 3)
        elif ftype == "data-exchange":
            first = fname == names_of("data-exchange")[0]
            s["retentionDays"] = p.choice((1, 30, 90, 365)) if "gdpr" in compliance else p.choice((1, 30, 90, 400, 3650))
            if p.boolean(0.6):
                s["sftp"] = p.boolean(0.7)
            count = knobs.partners if (first and knobs.partners) else p.integer(0, min(3, len(vendor_names)))
            if count or providers[fn["provider"]]["type"] == "cloud":
                s["partners"] = p.subset(vendor_names, max(count, 1), max(count, 1))
        fn[SECTION[ftype]] = s

    spec: dict[str, Any] = {"environment": environment, "region": region, "dataResidency": residency}
    if compliance or p.boolean(0.2):
        spec["compliance"] = compliance
    spec["providers"] = providers
    spec["functions"] = functions
    if environment == "prod" or p.boolean(0.6):
        budgeted = sum("budget" in fn for fn in functions.values())
        spec["budget"] = {"monthlyUSD": max(PLAN_BUDGET_USD, FUNCTION_BUDGET_USD * budgeted)}
        if p.boolean():
            spec["budget"]["alertThresholds"] = p.subset((50, 80, 100, 120), 1, 4)
    if p.boolean(0.4):
        for policy in p.subset(WAIVABLE, 1, 2):
            function = p.choice(list(functions)) if p.boolean() else None
            waivers.append(_waiver(p, policy, today, plan_name, function, "Reviewed by the platform team."))
    if waivers:
        spec["waivers"] = waivers
    metadata: dict[str, Any] = {"name": plan_name, "owner": f"platform@{plan_name}.example"}
    if p.boolean(0.3):
        metadata["labels"] = {"team": "platform", "costCentre": f"cc-{p.integer(1000, 9999)}"}
    return {"apiVersion": "provision/v1", "kind": "OutsourcingPlan", "metadata": metadata, "spec": spec}


def _waiver(p: Picker, policy: str, today: dt.date, plan_name: str, function: str | None, reason: str) -> dict[str, Any]:
    waiver: dict[str, Any] = {"policy": policy}
    if function:
        waiver["function"] = function
    waiver.update(reason=reason + " Revisit next quarter.", expires=(today + dt.timedelta(days=p.integer(10, 300))).isoformat(),
                  approvedBy=f"ciso@{plan_name}.example")  # fmt: skip
    return waiver


def _network_of(cidr: str) -> str:
    return str(ipaddress.ip_network(cidr, strict=False))


@st.composite
def plans(draw, knobs: Knobs = Knobs()) -> dict[str, Any]:
    """A valid plan document (hypothesis strategy)."""
    return generate(DrawPicker(draw), knobs)


def exit_documents(document: dict[str, Any]) -> dict[str, str]:
    """The exit-plan documents a plan names (PRV-VEN-005: they exist beside it), path -> text."""
    return {
        vendor["exitPlan"]: f"# Exit plan: {name}\n\nHand-over, data return and termination steps.\n"
        for name, vendor in document["spec"]["providers"].items()
        if vendor.get("exitPlan") and not vendor["exitPlan"].startswith("https://")
    }


def write_plan(document: dict[str, Any], path: Path) -> Path:
    """Write `document` to `path` with the exit-plan documents it names, as a repository would hold them."""
    for relative, text in exit_documents(document).items():
        (path.parent / relative).parent.mkdir(parents=True, exist_ok=True)
        (path.parent / relative).write_text(text)
    path.write_text(yaml_text(document))
    return path


def plan_from_seed(seed: int, knobs: Knobs = Knobs(), today: dt.date | None = None) -> dict[str, Any]:
    """The same generator, driven by `random.Random(seed)`: reproducible across runs."""
    return generate(SeededPicker(seed), knobs, today)


# The fixed-seed set `make test` runs through the engine: between them, every
# function type, the longest names, four vendors, two partners on one
# exchange, a backup copy region and the most zones a region has
# (tests/generated/test_generated_validate.py asserts that coverage).
CI_SET: tuple[tuple[int, Knobs], ...] = (
    (101, Knobs(types=("hosting", "backup"), vendors=1, copy_region=True, residency="eu", max_functions=3)),
    (102, Knobs(types=("security-monitoring", "hosting"), vendors=2, max_functions=3)),
    (103, Knobs(types=("network",), vendors=1, azs=MAX_AZS, max_functions=2)),
    (104, Knobs(types=("monitoring", "hosting", "network"), vendors=1, max_functions=4)),
    (105, Knobs(types=("data-exchange",), vendors=3, partners=2, max_functions=4)),
    (106, Knobs(types=("security-monitoring", "data-exchange", "hosting"), vendors=2, long_names=True, max_functions=4)),
    (107, Knobs(types=TYPES, vendors=4, max_functions=7)),
    (108, Knobs(types=("network", "backup", "hosting"), residency="ca", copy_region=True, azs=3, max_functions=4)),
    (109, Knobs(types=("network", "monitoring"), residency="apac", vendors=2, azs=3, max_functions=3)),
)

# The plan the change property starts from: a network to re-zone, two vendors to move a function between.
CHANGE_BASE: tuple[int, Knobs] = (201, Knobs(types=("network", "monitoring", "hosting"), vendors=2, azs=3, residency="eu", max_functions=3))
