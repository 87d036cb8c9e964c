"""Company aliases (SPEC §4 "Alias", §6 `alias add|list|remove`), through the real CLI."""
import pytest

from crmctl.dedup.keys import stored_keys
from crmctl.rules.names import company_name_key
from crmctl.storage.connection import connect_database
from crmctl.storage.models import CompanyBlockingKey

from conftest import one_line

BOSS = "boss@example.com"
MIA = "mia@example.com"
ANN = "ann@example.com"


def add_company(crm, name, slug, country="SE", acting=None):
    return crm.json("add", "company", "--name", name, "--website", f"https://www.{slug}.com",
                    "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "50",
                    "--industry", "Logistics", "--country", country, acting=acting)["id"]


def with_agents(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", MIA, "--name", "Mia", "--role", "manager", acting=BOSS)
    crm.json("agent", "add", ANN, "--name", "Ann", "--role", "agent", "--country", "SE", acting=BOSS)


def alias_names(crm, company=None):
    return [alias["name"] for alias in crm.json("alias", "list", *([company] if company else []))]


def stored_blocking_keys(crm, company_id):
    database = connect_database(crm.url)
    try:
        query = CompanyBlockingKey.select(CompanyBlockingKey.key).where(CompanyBlockingKey.company == company_id[1:])
        return {key for (key,) in query.tuples()}
    finally:
        database.close()


def keys_of(*names):
    return {key for name in names for key in stored_keys(company_name_key(name))}


# --- add, list, remove ---------------------------------------------------------


def test_an_alias_is_added_listed_and_removed(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    added = crm.json("alias", "add", nordvik, "Baltic Line")
    assert added["company"] == nordvik and added["name"] == "Baltic Line" and added["created_by"] is None
    assert added["created_at"].endswith("Z")
    crm.json("alias", "add", "1", "NSAB")  # a bare number names a company too
    assert alias_names(crm, nordvik) == ["Baltic Line", "NSAB"]
    removed = crm("alias", "remove", nordvik, "baltic  line", "--format", "json")
    assert removed.exit_code == 0, removed.output
    assert one_line(removed) == f"removed the alias 'Baltic Line' from {nordvik}"
    assert alias_names(crm, nordvik) == ["NSAB"]


def test_alias_list_without_a_company_lists_every_company_s_aliases(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    fjord = add_company(crm, "Fjordline Cargo AB", "fjordline")
    crm.json("alias", "add", fjord, "FLC")
    crm.json("alias", "add", nordvik, "Baltic Line")
    listed = crm.json("alias", "list")
    assert [(a["company"], a["name"]) for a in listed] == [(nordvik, "Baltic Line"), (fjord, "FLC")]
    assert crm.json("alias", "list", fjord)[0].keys() == {"company", "name", "created_at", "created_by"}


def test_show_lists_a_company_s_aliases(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    crm.json("alias", "add", nordvik, "Baltic Line")
    assert [a["name"] for a in crm.json("show", nordvik)["aliases"]] == ["Baltic Line"]


def test_adding_and_removing_an_alias_is_recorded_in_history(crm):
    with_agents(crm)
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik", acting=ANN)
    crm.json("alias", "add", nordvik, "Baltic Line", acting=MIA)
    crm.json("alias", "remove", nordvik, "Baltic Line", acting=MIA)
    changes = [(h["agent"], h["action"], h["field"], h["old_value"], h["new_value"])
               for h in crm.json("history", nordvik) if h["field"] == "alias"]
    assert changes == [(MIA, "update", "alias", None, "Baltic Line"), (MIA, "update", "alias", "Baltic Line", None)]


# --- permissions ---------------------------------------------------------------


def test_an_agent_may_list_aliases_but_not_add_or_remove_them(crm):
    with_agents(crm)
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik", acting=ANN)
    refused = crm("alias", "add", nordvik, "Baltic Line", acting=ANN)
    assert refused.exit_code == 5
    assert one_line(refused) == ("crmctl: error: ann@example.com (agent) may not change company aliases: "
                                 "managers and admins keep them")
    added = crm.json("alias", "add", nordvik, "Baltic Line", acting=MIA)
    assert added["created_by"] == MIA
    assert alias_names(crm, nordvik) == ["Baltic Line"]
    assert crm("alias", "remove", nordvik, "Baltic Line", acting=ANN).exit_code == 5
    assert [a["name"] for a in crm.json("alias", "list", acting=ANN)] == ["Baltic Line"]


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("company, name, code, said", [
    ("C99", "Baltic Line", 4, "C99 not found"),
    ("L1", "Baltic Line", 2, "L1 is a lead, expected a company"),
    ("C1", "   ", 2, "the alias is empty"),
    ("C1", "nordvik shipping", 2, "'nordvik shipping' is the name of C1 (Nordvik Shipping AB) already"),
    ("C1", "!!!", 2, "has no letters or digits"),
])
def test_bad_aliases_are_refused_in_one_line_and_write_nothing(crm, company, name, code, said):
    add_company(crm, "Nordvik Shipping AB", "nordvik")
    result = crm("alias", "add", company, name)
    assert result.exit_code == code
    assert said in one_line(result)
    assert crm.json("alias", "list") == []


def test_an_alias_the_company_already_has_is_refused_as_a_duplicate(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    crm.json("alias", "add", nordvik, "Baltic Line")
    again = crm("alias", "add", nordvik, "BALTIC-LINE")
    assert again.exit_code == 3  # SPEC §3: a duplicate is refused by a rule about the data, as everywhere
    assert one_line(again) == f"crmctl: error: {nordvik} already has the alias 'Baltic Line'"


def test_removing_an_alias_the_company_does_not_have_is_not_found(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    result = crm("alias", "remove", nordvik, "Baltic Line")
    assert result.exit_code == 4
    assert one_line(result) == f"crmctl: error: {nordvik} has no alias 'Baltic Line'"


# --- an alias must not create a duplicate ---------------------------------------------


def test_an_alias_that_is_another_company_s_name_in_the_country_is_refused_unless_forced(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    baltic = add_company(crm, "Baltic Line AB", "baltic-line")
    refused = crm("alias", "add", nordvik, "Baltic Line")
    assert refused.exit_code == 3
    assert one_line(refused) == (
        f"crmctl: error: alias 'Baltic Line' of {nordvik} refused: it is the name or an alias of "
        f"{baltic} Baltic Line AB in SE, so it would make a duplicate; add --force to keep it anyway")
    assert crm.json("alias", "list") == []
    crm.json("alias", "add", nordvik, "Baltic Line", "--force")
    assert alias_names(crm, nordvik) == ["Baltic Line"]
    forced = [(h["action"], h["new_value"]) for h in crm.json("history", nordvik) if h["action"] == "force"]
    assert forced == [("force", f'["{baltic}"]')]


def test_an_alias_that_is_another_company_s_alias_in_the_country_is_refused(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    fjord = add_company(crm, "Fjordline Cargo AB", "fjordline")
    crm.json("alias", "add", fjord, "Nordic Star")
    refused = crm("alias", "add", nordvik, "Nordic Star AB")
    assert refused.exit_code == 3
    assert f"an alias of {fjord} Fjordline Cargo AB in SE" in one_line(refused)


def test_the_same_name_in_another_country_is_no_clash(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    add_company(crm, "Baltic Line GmbH", "baltic-line", country="DE")
    crm.json("alias", "add", nordvik, "Baltic Line")
    assert alias_names(crm, nordvik) == ["Baltic Line"]


# --- blocking keys ----------------------------------------------------------------


def test_the_blocking_keys_hold_an_alias_while_it_exists(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    assert stored_blocking_keys(crm, nordvik) == keys_of("Nordvik Shipping AB")
    crm.json("alias", "add", nordvik, "Baltic Line")
    assert stored_blocking_keys(crm, nordvik) == keys_of("Nordvik Shipping AB", "Baltic Line")
    crm.json("edit", nordvik, "--set", "name=Nordvik Marine AB")
    assert stored_blocking_keys(crm, nordvik) == keys_of("Nordvik Marine AB", "Baltic Line")
    crm.json("alias", "remove", nordvik, "Baltic Line")
    assert stored_blocking_keys(crm, nordvik) == keys_of("Nordvik Marine AB")


# --- merge and unmerge ----------------------------------------------------------------


def test_merge_keeps_the_dropped_name_and_aliases_and_unmerge_takes_them_back(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    baltic = add_company(crm, "Baltic Line AB", "baltic-line")
    crm.json("alias", "add", nordvik, "NSAB")
    crm.json("alias", "add", baltic, "Balt Cargo")
    crm.json("dedup", "merge", nordvik, baltic)
    assert alias_names(crm) == ["NSAB", "Balt Cargo", "Baltic Line AB"]
    assert stored_blocking_keys(crm, nordvik) == keys_of("Nordvik Shipping AB", "NSAB", "Baltic Line AB", "Balt Cargo")
    merged = [(h["action"], h["new_value"]) for h in crm.json("history", nordvik) if h["field"] == "alias"]
    assert merged[-2:] == [("merge", "Baltic Line AB"), ("merge", "Balt Cargo")]

    crm.json("dedup", "unmerge", "X1")
    assert alias_names(crm, nordvik) == ["NSAB"]
    assert alias_names(crm, baltic) == ["Balt Cargo"]
    assert stored_blocking_keys(crm, nordvik) == keys_of("Nordvik Shipping AB", "NSAB")
    assert stored_blocking_keys(crm, baltic) == keys_of("Baltic Line AB", "Balt Cargo")


def test_merge_adds_no_alias_the_survivor_already_has(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    twin = add_company(crm, "Nordvik Shipping", "nordvik-twin", country="DE")
    crm.json("alias", "add", twin, "NSAB")
    crm.json("alias", "add", nordvik, "nsab")
    crm.json("dedup", "merge", nordvik, twin)
    assert alias_names(crm) == ["nsab"]
    crm.json("dedup", "unmerge", "X1")
    assert alias_names(crm, nordvik) == ["nsab"]
    assert alias_names(crm, twin) == ["NSAB"]


# --- an alias counts as the company's name (the matcher's part of issue 8) ----------------


def test_adding_a_company_under_an_alias_is_refused_as_a_likely_duplicate(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    crm.json("alias", "add", nordvik, "Baltic Line")
    result = crm("add", "company", "--name", "Baltic Line AB", "--website", "https://baltic-line.se",
                 "--linkedin", "https://www.linkedin.com/company/baltic-line", "--employees", "50",
                 "--industry", "Logistics", "--country", "SE")
    assert result.exit_code == 3
    assert nordvik in one_line(result)


def test_dedup_check_finds_a_company_by_its_alias(crm):
    nordvik = add_company(crm, "Nordvik Shipping AB", "nordvik")
    crm.json("alias", "add", nordvik, "Baltic Line")
    found = crm.json("dedup", "check", "--name", "Baltic Line", "--country", "SE")
    assert [c["id"] for c in found] == [nordvik]
