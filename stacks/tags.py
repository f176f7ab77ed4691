"""The tags every provisioned resource carries: what verify, drift, access and backups find them by.

Plain constants, apart from the function programs, so that offline commands
(diff, access) read them without importing the engine's SDK.
"""

TAG_PLAN = "provision:plan"
TAG_FUNCTION = "provision:function"
TAG_PROVIDER = "provision:provider"
TAG_ENVIRONMENT = "provision:environment"
# Carried only by resources holding the function's data (versioned buckets): what a
# backup selection picks. Logs and other plumbing lack it, so no nightly job fails on them.
TAG_BACKUP = "provision:backup"
BACKUP_DATA = "data"
