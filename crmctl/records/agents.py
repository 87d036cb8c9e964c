"""Agents: the people who use crmctl, their roles, countries and LinkedIn accounts."""
import json

from crmctl.errors import BadInput, Refused
from crmctl.records.batch import create_one
from crmctl.records.history import update_record
from crmctl.rules.contacts import country_code, email_key
from crmctl.rules.permissions import ROLES, get_agent, require
from crmctl.rules.values import check_fits, clean_text
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Agent


def check_role(role):
    if role not in ROLES:
        raise BadInput(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def check_country_of_role(role, country):
    """An agent works in one country (SPEC §5): without it, it could add companies anywhere."""
    if role == "agent" and country is None:
        raise BadInput("an agent needs a country (--country CC); managers and admins work in every country")


def account_names(accounts):
    """The LinkedIn accounts given (`--linkedin-account`, repeatable), cleaned, each once, as a JSON list;
    a blank one is bad input, as every other blank text is."""
    names = [clean_text(account, "LinkedIn account", required="--linkedin-account NAME") for account in accounts]
    return json.dumps(list(dict.fromkeys(names)), ensure_ascii=False)


def add_agent(actor, email, name, role, country=None, linkedin_accounts=()):
    """Create an agent. The first agent must be an admin, so someone can manage the rest."""
    require(actor, "manage agents")
    email = email_key(email)
    check_fits(Agent, {"email": email})
    check_role(role)
    name = clean_text(name, "agent name", Agent.name, required="--name")
    country = country_code(country) if country is not None else None
    check_country_of_role(role, country)
    accounts = account_names(linkedin_accounts)
    with write_transaction():
        if not Agent.select().exists() and role != "admin":
            raise Refused("the first agent must be an admin (--role admin), or nobody could manage agents")
        if Agent.select().where(Agent.email == email).exists():
            raise Refused(f"agent {email} already exists")
        return create_one(Agent, actor, email=email,
            name=name,
            role=role,
            country=country,
            linkedin_accounts=accounts,
        )


def set_agent(actor, email, name=None, role=None, country=None, linkedin_accounts=None, active=None):
    """Change what is given; refuses to leave the database without an active admin, or an agent without a country."""
    require(actor, "manage agents")
    agent = get_agent(email)
    changes = {}
    if name is not None:
        changes["name"] = clean_text(name, "agent name", Agent.name, required="--name")
    if role is not None:
        changes["role"] = check_role(role)
    if country is not None:
        changes["country"] = country_code(country)
    if linkedin_accounts is not None:
        changes["linkedin_accounts"] = account_names(linkedin_accounts)
    if active is not None:
        changes["active"] = active
    if "role" in changes or "country" in changes:
        check_country_of_role(changes.get("role", agent.role), changes.get("country", agent.country))
    with write_transaction():
        losing_admin = agent.role == "admin" and agent.active and (
            changes.get("role", "admin") != "admin" or changes.get("active", True) is False
        )
        if losing_admin and other_active_admins(agent) == 0:
            raise Refused(f"{agent.email} is the last active admin")
        update_record(agent, actor, changes)
    return agent


def other_active_admins(agent):
    return (
        Agent.select()
        .where((Agent.role == "admin") & (Agent.active == True) & (Agent.id != agent.id))  # noqa: E712
        .count()
    )


def list_agents():
    return list(Agent.select().order_by(Agent.email))
