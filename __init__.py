"""provision: infrastructure as code for IT outsourcing."""

__version__ = "0.1.0"
