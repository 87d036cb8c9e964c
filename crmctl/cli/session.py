"""What one crmctl invocation works with: the database, the acting agent, the flags.

The root command creates a Session from the global options; plugins receive it
with `@pass_session` and ask it for the database only when they need one, so
commands such as `--help` never connect. A global option given after the
command (`crmctl add company … --as boss@x`) changes the same Session before
the command runs (see `crmctl.cli.root.accept_global_options`).
"""
import click


class Session:
    def __init__(self, database_url=None, acting_email=None, debug=False, quiet=False, wide=False):
        self.requested_database_url = database_url
        self.acting_email = acting_email
        self.debug = debug  # internal errors show their traceback; library warnings are not hidden
        self.quiet = quiet  # nothing on stdout, nothing on stderr but errors (cron)
        self.wide = wide  # tables show every character instead of fitting the terminal
        self._database = None
        self._actor = None

    @property
    def database_url(self):
        from crmctl.storage.connection import resolve_database_url

        return resolve_database_url(self.requested_database_url)

    def open(self, check_schema=True):
        """Connect (once) and, unless told not to, insist on a current schema."""
        # Imported here, not at the top: `crmctl --help` must not load Peewee.
        from crmctl.storage.connection import connect_database
        from crmctl.storage.schema import ensure_current_schema

        if self._database is None:
            self._database = connect_database(self.database_url)
            if check_schema:
                ensure_current_schema(self._database)
        return self._database

    @property
    def actor(self):
        """The acting agent, resolved against the database (see crmctl.rules.permissions)."""
        if self._actor is None:
            from crmctl.rules.permissions import resolve_actor

            self.open()
            self._actor = resolve_actor(self.acting_email)
        return self._actor

    def close(self):
        if self._database is not None and not self._database.is_closed():
            self._database.close()


pass_session = click.make_pass_decorator(Session)


def current_session():
    """The Session of the command running now, or None outside one (a library caller, a test of output)."""
    context = click.get_current_context(silent=True)
    return context.find_object(Session) if context is not None else None
