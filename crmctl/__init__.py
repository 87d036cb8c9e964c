"""crmctl: a command-line CRM for lead-generation and sales teams."""
from crmctl.storage.drivers import defer_drivers

__version__ = "0.1.0"

# Before anything imports Peewee: its database drivers load only when crmctl connects (see drivers.py).
defer_drivers()
