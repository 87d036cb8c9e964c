"""What a report covers: the period, the agent and the country, and who may see it (SPEC §3).

The period is a range of UTC dates, both ends included; without `--since`/`--until` it is
everything up to and including today. An agent sees its own figures only: without `--agent` its
reports are its own, and `--agent` naming someone else is refused (exit 5). Managers and admins
(and everyone in single-user mode) see everyone's figures, or one agent's with `--agent`. An
`--agent` that names nobody is not an error: the report is empty and says so in one line.
"""
import datetime

from peewee import SQL

from crmctl.dates import parse_date, utctoday
from crmctl.errors import BadInput, PermissionDenied
from crmctl.rules.contacts import country_code
from crmctl.storage.models import Agent


class ReportScope:
    """The period [start, end) as naive UTC datetimes, and the agent and country the figures are about.

    `agent_id` is the id of the agent the report is limited to (None: everyone); `unknown_agent` holds
    the e-mail of an `--agent` that names nobody, whose report is empty. `today` is the day the report
    is made as of (`--today`, for scripts and tests; by default the present UTC date): the default end
    of the period, and what "not answered yet" is measured against.
    """

    def __init__(self, since=None, until=None, agent_id=None, agent_email=None, country=None, today=None,
                 unknown_agent=None):
        self.today_given = today is not None
        self.today = today or utctoday()
        self.since = since
        self.until = until or self.today
        if self.since is not None and self.since > self.until:
            raise BadInput(f"--since {self.since.isoformat()} is after --until {self.until.isoformat()}")
        self.agent_id = agent_id
        self.agent_email = agent_email
        self.country = country
        self.unknown_agent = unknown_agent

    @property
    def start(self):
        """The first moment of the period, or None for "from the beginning"."""
        return None if self.since is None else datetime.datetime.combine(self.since, datetime.time())

    @property
    def end(self):
        """The first moment after the period (midnight after --until)."""
        return datetime.datetime.combine(self.until + datetime.timedelta(days=1), datetime.time())

    @property
    def reference_time(self):
        """"Now" for the period: its end, or the present moment when the period reaches it (as of
        `--today`, the end of that day)."""
        if self.today_given:
            return min(self.end, datetime.datetime.combine(self.today + datetime.timedelta(days=1), datetime.time()))
        from crmctl.dates import utcnow

        return min(self.end, utcnow())

    @property
    def reaches_the_present(self):
        """True when the period is open at both ends: from the beginning to the present day or later."""
        return self.start is None and self.until >= utctoday()

    @property
    def is_empty(self):
        return self.unknown_agent is not None

    def within(self, column, stamped=True):
        """The condition "column falls in the period" (a Peewee expression).

        A `stamped` column holds the moment crmctl wrote something (created, closed, changed), never
        a later one, so a period open at both ends (no --since, --until today or later) needs no
        condition on it at all: leaving it out lets the database scan the table instead of walking
        an index on the column for every row.
        """
        if stamped and self.reaches_the_present:
            return SQL("1 = 1")
        condition = column < self.end
        if self.start is not None:
            condition &= column >= self.start
        return condition

    def within_days(self, day, stamped=True):
        """The condition "this day expression falls in the period" (see `within` for `stamped`)."""
        if stamped and self.reaches_the_present:
            return SQL("1 = 1")
        condition = day <= self.until.isoformat()  # ISO text: a date to every backend and driver
        if self.since is not None:
            condition &= day >= self.since.isoformat()
        return condition


def report_scope(actor, since=None, until=None, agent=None, country=None, today=None):
    """The ReportScope an actor may see for these options; PermissionDenied (exit 5) beyond it."""
    since = parse_date(since, "--since") if since is not None else None
    today = parse_date(today, "--today") if today is not None else None
    until = parse_date(until, "--until") if until is not None else None
    country = country_code(country) if country and country.strip() else None
    wanted = agent.strip().lower() if agent and agent.strip() else None
    sees_everyone = actor.single_user or actor.can("report on everyone")
    if not sees_everyone:
        if wanted is not None and wanted != actor.email:
            raise PermissionDenied(f"{actor.email} ({actor.role}) may see only its own reports, not {wanted}'s")
        wanted = actor.email
    if wanted is None:
        return ReportScope(since, until, country=country, today=today)
    found = Agent.get_or_none(Agent.email == wanted)
    if found is None:
        return ReportScope(since, until, country=country, today=today, unknown_agent=wanted)
    return ReportScope(since, until, agent_id=found.id, agent_email=found.email, country=country, today=today)
