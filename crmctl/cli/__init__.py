"""The command line around the core: the root command, lazy plugin loading, output and the session."""
from crmctl.cli.root import cli, main

__all__ = ["cli", "main"]
