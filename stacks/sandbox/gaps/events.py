"""Placeholder until the events gap fill lands; replaced by its owner."""


def install() -> None:
    pass
