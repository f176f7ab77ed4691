"""Placeholder until the securityhub gap fill lands; replaced by its owner."""


def install() -> None:
    pass
