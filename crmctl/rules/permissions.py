"""Who is acting and what their role lets them do (SPEC §3), in one place.

While no agent exists the database is in single-user mode and everything is
allowed. Once one exists, every writing command needs an acting, active agent
and the role decides. Commands call `require(actor, action, …)` before writing.
"""
from crmctl.errors import NotFound, PermissionDenied, Refused
from crmctl.rules.contacts import email_key
from crmctl.storage.models import Agent

ROLES = ("agent", "manager", "admin")

# What each role may do; a manager may do everything an agent may, anywhere,
# and an admin everything. Agent-level actions carry their own conditions below.
AGENT_ACTIONS = {
    "add company",
    "add lead",
    "edit company",
    "edit lead",
    "change status",
    "log communication",
    "add note",
    "add task",
    "add deal",
    "add event",
    "claim from pool",
    "review",
}
MANAGER_ACTIONS = AGENT_ACTIONS | {
    "import",
    "export",
    "merge",
    "allocate",
    "bulk action",
    "report on everyone",
    "edit any record",
    "archive",
    "force duplicate",
}
ADMIN_ACTIONS = MANAGER_ACTIONS | {"manage agents", "configure", "upgrade database"}
ACTIONS_BY_ROLE = {"agent": AGENT_ACTIONS, "manager": MANAGER_ACTIONS, "admin": ADMIN_ACTIONS}
# Actions whose name does not read as a verb after "may not".
ACTIONS_SAID = {"bulk action": "run a bulk action", "force duplicate": "force a duplicate",
                "upgrade database": "upgrade the database"}


class Actor:
    """The acting agent, or nobody in single-user mode."""

    def __init__(self, agent=None, single_user=False):
        self.agent = agent
        self.single_user = single_user

    @property
    def email(self):
        return self.agent.email if self.agent is not None else None

    @property
    def role(self):
        return self.agent.role if self.agent is not None else None

    def can(self, action):
        if self.single_user:
            return True
        return action in ACTIONS_BY_ROLE.get(self.agent.role, ())


def get_agent(email):
    """The agent with this e-mail; NotFound (exit 4) otherwise."""
    agent = Agent.get_or_none(Agent.email == email_key(email))
    if agent is None:
        raise NotFound(f"agent {email} not found")
    return agent


def working_agent(agent_or_email, purpose):
    """An agent who may be given work (own a record, be assigned a task); Refused (3) when deactivated."""
    agent = agent_or_email if isinstance(agent_or_email, Agent) else get_agent(agent_or_email)
    if not agent.active:
        raise Refused(f"agent {agent.email} is deactivated and cannot {purpose}")
    return agent


def resolve_actor(acting_email):
    """The Actor for `--as`/`CRMCTL_AGENT`; refuses unknown and deactivated agents."""
    email = (acting_email or "").strip().lower()
    if not Agent.select().exists():
        return Actor(single_user=True)
    if not email:
        raise PermissionDenied(
            "agents exist, so an acting agent is required: pass --as EMAIL or set CRMCTL_AGENT"
        )
    agent = Agent.get_or_none(Agent.email == email)
    if agent is None:
        raise PermissionDenied(f"unknown agent {email}")
    if not agent.active:
        raise PermissionDenied(f"agent {email} is deactivated")
    return Actor(agent=agent)


def require(actor, action, country=None, lead=None, said=None):
    """Raise PermissionDenied unless the actor may do `action` (`said`: how the refusal words it, when the
    action's name alone would not say what was refused).

    `country` is checked for an agent adding a company or moving one to
    another country: only its assigned country, and nowhere while it has none
    (an agent stored before every agent needed one); `lead` for an agent
    changing a lead (only its own or the pool's).
    """
    if actor.single_user:
        return
    if not actor.can(action):
        raise PermissionDenied(f"{actor.email} ({actor.role}) may not {said or ACTIONS_SAID.get(action, action)}")
    if actor.role != "agent":
        return
    if country is not None:
        require_home_country(actor, country, "adds and moves companies only in")
    if lead is not None and lead.owner_id not in (None, actor.agent.id):
        raise PermissionDenied(f"{actor.email} may not change {lead_label(lead)}: it belongs to another agent")


def require_home_country(actor, country, doing, record=None):
    """An agent works on companies of its assigned country only (SPEC §3): a rule about the data, exit 3.

    `doing` says what it does there ("edits companies only in"); `record` names the
    company met. Managers and admins work anywhere.
    """
    if actor.single_user or actor.role != "agent":
        return
    home = actor.agent.country
    if not home:
        raise Refused(f"{actor.email} has no country, so works on no company until an admin sets one "
                      f"(crmctl agent set {actor.email} --country CC)")
    if country != home:
        raise Refused(f"{actor.email} {doing} {home}, not {record + ' in ' if record else ''}{country}")


def lead_label(lead):
    return f"L{lead.id}"
