"""`python -m crmctl` runs the same root command as the `crmctl` script."""
from crmctl.cli import cli

cli(prog_name="crmctl")
