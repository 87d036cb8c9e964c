"""crmctl: a command-line CRM for lead-generation and sales teams."""

__version__ = "0.1.0"
