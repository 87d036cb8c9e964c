"""Rules about the data already in the CRM that merges and pipeline settings keep (SPEC §5, §6, exit 3).

A merge never hides a live record inside an archived one and never gives a
company more leads than max_leads_per_company; the pipelines setting keeps the
built-in pipelines and every pipeline and stage an open deal is in; a pipeline
starts at an open stage. A refused command writes nothing, on the merge and on
its --dry-run alike.
"""
import json

from conftest import one_line

LIMIT_REFUSAL = ("crmctl: error: C1 Acme Robotics would hold {} leads, more than the 5 a company may have "
                 "(rule max_leads_per_company)")


def add_company(crm, name, slug):
    return crm.json("add", "company", "--name", name, "--website", f"https://www.{slug}.com", "--linkedin",
                    f"https://www.linkedin.com/company/{slug}", "--employees", "50", "--industry", "Robotics",
                    "--country", "PL", "--force")["id"]


def add_leads(crm, company_id, count, prefix):
    return [crm.json("add", "lead", "--company", company_id, "--name", f"{prefix} {number}",
                     "--position", "CTO")["id"] for number in range(count)]


def lead_ids_of(crm, company_id):
    return [lead["id"] for lead in crm.json("show", company_id)["leads"]]


def set_pipelines(crm, pipelines):
    return crm("config", "set", "pipelines", json.dumps(pipelines))


SALES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
SERVICES = ["New Leads", "Follow Up With", "Stop Automation/Nurture", "Estimate Scheduled/Sent", "Job Scheduled",
            "Service Completed", "Finished"]


# --- a merge keeps live records live ---------------------------------------------------


def test_a_merge_into_an_archived_company_is_refused_and_moves_nothing(crm):
    add_company(crm, "Acme Robotics", "acme")
    live = add_company(crm, "Acme Robotics", "acme-robotics")
    (lead,) = add_leads(crm, live, 1, "Ewa")
    archived = add_company(crm, "Acme Robotics", "acme-old")
    crm.json("archive", archived)
    result = crm("dedup", "merge", archived, live, "--yes")
    assert result.exit_code == 3
    assert one_line(result) == "crmctl: error: C3 is archived: restore it first, or merge into the live record (C2)"
    assert lead_ids_of(crm, live) == [lead]
    assert crm.json("show", lead)["company_id"] == live
    crm.json("dedup", "merge", live, archived, "--yes")  # the live record survives: allowed
    assert lead_ids_of(crm, live) == [lead]


def test_the_preview_of_a_merge_into_an_archived_company_is_refused_too(crm):
    live = add_company(crm, "Acme Robotics", "acme")
    archived = add_company(crm, "Acme Robotics", "acme-old")
    crm.json("archive", archived)
    result = crm("dedup", "merge", archived, live, "--dry-run")
    assert result.exit_code == 3
    assert one_line(result) == "crmctl: error: C2 is archived: restore it first, or merge into the live record (C1)"


def test_a_restored_company_can_be_the_survivor_again(crm):
    live = add_company(crm, "Acme Robotics", "acme")
    archived = add_company(crm, "Acme Robotics", "acme-old")
    crm.json("archive", archived)
    assert crm("dedup", "merge", archived, live, "--yes").exit_code == 3
    crm.json("restore", archived)
    assert crm.json("dedup", "merge", archived, live, "--yes")["survivor"] == archived


def test_a_merge_into_an_archived_lead_is_refused_and_the_live_lead_stays(crm):
    acme = add_company(crm, "Acme Robotics", "acme")
    live, archived = add_leads(crm, acme, 2, "Ewa Nowak")
    crm.json("archive", archived)
    for extra in ("--yes", "--dry-run"):
        result = crm("dedup", "merge", archived, live, extra)
        assert result.exit_code == 3
        assert one_line(result) == "crmctl: error: L2 is archived: restore it first, or merge into the live record (L1)"
    assert crm.json("show", live)["archived_at"] is None
    assert [lead["id"] for lead in crm.json("list", "leads")] == [live]


# --- a merge keeps the lead limit -------------------------------------------------------


def test_a_merge_that_would_give_a_company_more_than_five_leads_is_refused(crm):
    acme = add_company(crm, "Acme Robotics", "acme")
    kept = add_leads(crm, acme, 5, "Person")
    other = add_company(crm, "Acme Robotic", "acme-robotic")
    moving = add_leads(crm, other, 2, "Other")
    result = crm("dedup", "merge", acme, other, "--yes")
    assert result.exit_code == 3
    assert one_line(result) == LIMIT_REFUSAL.format(7)
    assert lead_ids_of(crm, acme) == kept
    assert lead_ids_of(crm, other) == moving


def test_the_preview_of_a_merge_names_the_lead_limit_too(crm):
    acme = add_company(crm, "Acme Robotics", "acme")
    add_leads(crm, acme, 5, "Person")
    other = add_company(crm, "Acme Robotic", "acme-robotic")
    add_leads(crm, other, 1, "Other")
    result = crm("dedup", "merge", acme, other, "--dry-run")
    assert result.exit_code == 3
    assert one_line(result) == LIMIT_REFUSAL.format(6)


def test_archived_leads_that_a_merge_moves_do_not_count_against_the_limit(crm):
    acme = add_company(crm, "Acme Robotics", "acme")
    add_leads(crm, acme, 4, "Person")
    other = add_company(crm, "Acme Robotic", "acme-robotic")
    first, _second, third = add_leads(crm, other, 3, "Other")
    crm.json("archive", third)
    result = crm("dedup", "merge", acme, other, "--yes")
    assert result.exit_code == 3
    assert one_line(result) == LIMIT_REFUSAL.format(6)
    crm.json("archive", first)  # one live lead moves: 5 in all, within the limit
    crm.json("dedup", "merge", acme, other, "--yes")
    assert len(lead_ids_of(crm, acme)) == 7  # the two archived ones came along


# --- the pipelines setting keeps what deals stand on ------------------------------------------


def test_the_pipelines_setting_keeps_the_built_in_pipelines(crm):
    before = crm.json("config", "get", "pipelines")
    result = set_pipelines(crm, {"p4": ["New", "Won", "Lost"]})
    assert result.exit_code == 2
    assert one_line(result).endswith(": the built-in pipelines sales and services cannot be left out")
    result = set_pipelines(crm, {"sales": SALES, "p4": ["New", "Won", "Lost"]})
    assert result.exit_code == 2
    assert one_line(result).endswith(": the built-in pipeline services cannot be left out")
    assert crm.json("config", "get", "pipelines") == before


def test_a_pipeline_an_open_deal_is_in_cannot_be_left_out(crm):
    acme = add_company(crm, "Acme Robotics", "acme")
    crm.json("pipeline", "add", "renewals", "--stage", "Due", "--stage", "Won", "--stage", "Lost")
    deal = crm.json("add", "deal", "--company", acme, "--pipeline", "renewals", "--name", "Renewal")["id"]
    result = set_pipelines(crm, {"sales": SALES, "services": SERVICES})
    assert result.exit_code == 3
    assert one_line(result) == ("crmctl: error: pipeline renewals cannot be left out: open deal D1 is in it "
                                "(close it first)")
    assert crm.json("deal", "move", deal, "won")["status"] == "won"
    assert set_pipelines(crm, {"sales": SALES, "services": SERVICES}).exit_code == 0  # a closed deal holds nothing


def test_a_stage_an_open_deal_is_at_cannot_be_left_out(crm):
    acme = add_company(crm, "Acme Robotics", "acme")
    for name in ("Fleet pilot", "Spare parts"):
        deal = crm.json("add", "deal", "--company", acme, "--pipeline", "sales", "--name", name)["id"]
        crm.json("deal", "move", deal, "proposal")
    without_proposal = [stage for stage in SALES if stage != "Proposal"]
    result = set_pipelines(crm, {"sales": without_proposal, "services": SERVICES})
    assert result.exit_code == 3
    assert one_line(result) == ("crmctl: error: stage Proposal of pipeline sales cannot be left out: 2 open deals "
                                "(D1 and 1 more) are at it (move or close them first)")
    assert crm.json("config", "get", "pipelines")["sales"] == SALES
    crm.json("deal", "move", "D1", "negotiation")
    crm.json("deal", "close", "D2", "lost", "--reason", "budget cut")
    assert set_pipelines(crm, {"sales": without_proposal, "services": SERVICES}).exit_code == 0
    assert crm.json("deal", "move", "D1", "closed won")["status"] == "won"


# --- a pipeline starts at an open stage -------------------------------------------------


def test_a_pipeline_of_only_closing_stages_is_bad_input(crm):
    result = crm("pipeline", "add", "p4", "--stage", "Won", "--stage", "Lost")
    assert result.exit_code == 2
    assert one_line(result) == ("crmctl: error: pipeline p4 starts at Won, which closes a deal: give it an open "
                                "stage before its won and lost stages")
    assert [item["name"] for item in crm.json("pipeline", "list")] == ["sales", "services"]


def test_the_pipelines_setting_refuses_a_pipeline_that_starts_closed(crm):
    result = set_pipelines(crm, {"sales": SALES, "services": SERVICES, "p4": ["Lost", "Open"]})
    assert result.exit_code == 2
    assert one_line(result).endswith(": pipeline p4 starts at Lost, which closes a deal: give it an open stage "
                                     "before its won and lost stages")
