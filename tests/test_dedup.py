"""`dedup check|explain|scan|merge|unmerge` (SPEC §5, §6, §6.1), through the real CLI."""
import json

import pytest

BOSS = "boss@example.com"
MIA = "mia@example.com"
ANN = "ann@example.com"


def add_company(crm, name, slug, country="PL", acting=None, **options):
    args = ["add", "company", "--name", name, "--website", f"https://www.{slug}.com",
            "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "50",
            "--industry", "Robotics", "--country", country, "--force"]
    for option, value in options.items():
        args += [f"--{option}", value]
    return crm.json(*args, acting=acting)["id"]


def add_lead(crm, company_id, name, *details):
    return crm.json("add", "lead", "--company", company_id, "--name", name, "--position", "CTO", *details)["id"]


def one_line(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def with_agents(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", MIA, "--name", "Mia", "--role", "manager", acting=BOSS)
    crm.json("agent", "add", ANN, "--name", "Ann", "--role", "agent", "--country", "PL", acting=BOSS)


# --- check -------------------------------------------------------------------


def test_check_finds_a_company_by_website_exactly(crm):
    acme = add_company(crm, "Acme Robotics", "acme-robotics")
    found = crm.json("dedup", "check", "--website", "http://acme-robotics.com/contact?x=1")
    assert found == [{"id": acme, "kind": "company", "name": "Acme Robotics", "score": 100.0, "band": "exact",
                      "reasons": ["website acme-robotics.com = acme-robotics.com (exact)"]}]


def test_check_finds_a_company_by_its_linkedin_page_in_any_form(crm):
    acme = add_company(crm, "Acme Robotics", "acme-robotics")
    found = crm.json("dedup", "check", "--linkedin", "https://pl.linkedin.com/company/Acme-Robotics/about/")
    assert [c["id"] for c in found] == [acme]
    assert found[0]["reasons"] == ["linkedin company/acme-robotics = company/acme-robotics (exact)"]


def test_check_finds_likely_duplicates_by_name_with_score_and_reason(crm):
    acme = add_company(crm, "Acme Robotics Sp. z o.o.", "acme-robotics")
    add_company(crm, "General Motors", "gm")
    found = crm.json("dedup", "check", "--name", "Acme Robotic", "--country", "PL")
    assert [c["id"] for c in found] == [acme]
    assert found[0]["score"] >= 85
    assert found[0]["reasons"] == [f"name 'acme robotic' ~ 'acme robotics' score {found[0]['score']:g} (fuzzy)"]


def test_check_finds_the_same_normalised_name_in_the_same_country(crm):
    acme = add_company(crm, "The Acme & Sons GmbH", "acme")
    found = crm.json("dedup", "check", "--name", "acme and sons", "--country", "PL")
    assert found[0]["id"] == acme and found[0]["score"] == 100
    assert found[0]["reasons"] == ["name 'acme and sons' ~ 'acme and sons' in PL (same normalised name)"]


def test_the_same_name_in_another_country_is_only_a_possible_duplicate(crm):
    acme_de = add_company(crm, "Acme", "acme", country="DE")
    found = crm.json("dedup", "check", "--name", "Acme", "--country", "PL")
    assert [(c["id"], c["band"]) for c in found] == [(acme_de, "possible")]
    assert found[0]["reasons"] == ["name 'acme' ~ 'acme' score 80 (same normalised name); country PL != DE (-20)"]
    result = crm("add", "company", "--name", "Acme", "--website", "acme.pl", "--linkedin",
                 "https://www.linkedin.com/company/acme-pl", "--employees", "50", "--industry", "Robotics",
                 "--country", "PL", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [c["id"] for c in json.loads(result.stdout)["possible_duplicates"]] == [acme_de]
    assert f"possible duplicate of {acme_de} Acme" in result.stderr
    new_id = json.loads(result.stdout)["id"]
    recorded = [row for row in crm.json("history", new_id) if row["action"] == "possible"]
    assert [json.loads(row["new_value"]) for row in recorded] == [[acme_de]]


def test_check_exits_0_and_prints_an_empty_list_when_nothing_matches(crm):
    add_company(crm, "General Electric", "ge")
    result = crm("dedup", "check", "--name", "General Motors", "--format", "json")
    assert result.exit_code == 0
    assert result.stdout.strip() == "[]"


def test_check_lists_exact_candidates_first_then_by_score(crm):
    exact = add_company(crm, "Zeta Logistics", "acme-web")
    same_name = add_company(crm, "Acme Logistics", "acme-logistics")
    typo = add_company(crm, "Acme Logistic", "acme-logistic")
    found = crm.json("dedup", "check", "--name", "Acme Logistics", "--website", "acme-web.com", "--country", "PL")
    assert [c["id"] for c in found] == [exact, same_name, typo]
    assert [c["score"] for c in found][:2] == [100.0, 100.0]


def test_check_finds_leads_by_email_phone_and_linkedin_profile(crm):
    acme = add_company(crm, "Acme", "acme")
    anna = add_lead(crm, acme, "Anna Nowak", "--email", "Anna@Acme.com", "--phone", "+48 601 234 567",
                    "--linkedin", "https://www.linkedin.com/in/anna-nowak")
    by_email = crm.json("dedup", "check", "--email", "anna@acme.com")
    assert by_email == [{"id": anna, "kind": "lead", "name": "Anna Nowak", "score": 100.0, "band": "exact",
                         "reasons": ["email anna@acme.com = anna@acme.com (exact)"]}]
    by_phone = crm.json("dedup", "check", "--phone", "601-234-567", "--country", "PL")
    assert by_phone[0]["reasons"] == ["phone +48601234567 = +48601234567 (exact)"]
    by_profile = crm.json("dedup", "check", "--linkedin", "https://de.linkedin.com/in/Anna-Nowak/")
    assert [c["id"] for c in by_profile] == [anna]


def test_check_with_nothing_to_check_is_bad_input(crm):
    result = crm("dedup", "check", "--country", "PL")
    assert result.exit_code == 2
    assert "--name" in one_line(result)


def test_check_with_a_malformed_website_is_bad_input(crm):
    result = crm("dedup", "check", "--website", "not a url")
    assert result.exit_code == 2
    assert "website" in one_line(result)


def test_a_renamed_company_is_found_by_its_new_name(crm):
    acme = add_company(crm, "Acme", "acme")
    crm.json("edit", acme, "--set", "name=Kowalski Logistics")
    assert [c["id"] for c in crm.json("dedup", "check", "--name", "Kowalsky Logistics")] == [acme]
    assert crm.json("dedup", "check", "--name", "Acme", "--country", "PL") == []


# --- explain -----------------------------------------------------------------


def test_explain_compares_two_companies_field_by_field(crm):
    left = add_company(crm, "Acme Robotics Sp. z o.o.", "acme", city="Kraków")
    right = add_company(crm, "ACME Robotic", "acme-robotic", city="Krakow")
    explained = crm.json("dedup", "explain", left, right)
    assert explained["verdict"].startswith("likely duplicate")
    assert explained["score"] >= 85
    fields = {f["field"]: f for f in explained["fields"]}
    assert fields["name"]["rule"] == "'acme robotics' ~ 'acme robotic' (fuzzy)"
    assert fields["website"]["score"] == 0.0
    assert fields["country"]["score"] == 100.0


def test_explain_names_the_rules_that_fired(crm):
    left = add_company(crm, "Aktiebolaget Nordvik International", "nordvik-se", country="SE")
    right = add_company(crm, "Nordvik Intl AB", "nordvik-ab", country="SE")
    explained = crm.json("dedup", "explain", left, right)
    assert explained["verdict"].startswith("likely duplicate")
    assert "left: legal form 'aktiebolaget' dropped" in explained["rules"]
    assert "left: abbreviation 'international' read as 'intl'" in explained["rules"]
    assert "right: legal form 'ab' dropped" in explained["rules"]


def test_explain_says_why_two_companies_are_not_duplicates(crm):
    left = add_company(crm, "General Electric", "ge", country="US")
    right = add_company(crm, "General Motors", "gm", country="US")
    explained = crm.json("dedup", "explain", left, right)
    assert explained["verdict"].startswith("not a duplicate")
    assert explained["score"] < 85


def test_explain_compares_two_leads_by_their_contact_details(crm):
    acme = add_company(crm, "Acme", "acme")
    anna = add_lead(crm, acme, "Anna Nowak", "--email", "anna@acme.com")
    other = add_lead(crm, acme, "Anna Nowak", "--email", "anna.nowak@gmail.com")
    explained = crm.json("dedup", "explain", anna, other)
    fields = {f["field"]: f for f in explained["fields"]}
    assert fields["full_name"]["score"] == 100
    assert fields["emails"]["score"] == 0.0
    assert explained["verdict"].startswith("not a duplicate")


def test_explain_refuses_to_compare_a_company_with_a_lead(crm):
    acme = add_company(crm, "Acme", "acme")
    anna = add_lead(crm, acme, "Anna Nowak")
    result = crm("dedup", "explain", acme, anna)
    assert result.exit_code == 2


# --- scan --------------------------------------------------------------------


def test_scan_clusters_likely_duplicates_with_a_score(crm):
    first = add_company(crm, "Kowalski Logistics Sp. z o.o.", "kowalski")
    second = add_company(crm, "KOWALSKI LOGISTICS", "kowalski-pl")
    third = add_company(crm, "Kowalsky Logistics", "kowalsky")
    add_company(crm, "General Electric", "ge")
    add_company(crm, "General Motors", "gm")
    add_company(crm, "Kowalski Logistics", "kowalski-de", country="DE")
    clusters = crm.json("dedup", "scan")
    assert len(clusters) == 1
    assert clusters[0]["ids"] == [first, second, third]
    assert 85 <= clusters[0]["score"] < 100


def test_scan_min_score_decides_what_joins_a_cluster(crm):
    add_company(crm, "Kowalski Logistics", "kowalski")
    add_company(crm, "Kowalsky Logistics", "kowalsky")
    assert crm.json("dedup", "scan", "--min-score", "99") == []
    assert len(crm.json("dedup", "scan", "--min-score", "50")) == 1


# --- merge -------------------------------------------------------------------


def merged_pair(crm):
    keep = add_company(crm, "Acme Robotics", "acme")
    drop = add_company(crm, "Acme Robotic", "acme-robotic", city="Kraków", subindustry="Welding robots")
    kept_lead = add_lead(crm, keep, "Jan Nowak", "--email", "jan@acme.com")
    moved_lead = add_lead(crm, drop, "Ewa Nowak", "--email", "ewa@acme.com")
    crm.json("add", "note", drop, "--text", "Met at the fair")
    return keep, drop, kept_lead, moved_lead


def test_merge_moves_leads_and_notes_and_fills_empty_fields(crm):
    keep, drop, kept_lead, moved_lead = merged_pair(crm)
    merge = crm.json("dedup", "merge", keep, drop)
    assert merge["id"] == "X1"
    assert (merge["kind"], merge["survivor"], merge["dropped"]) == ("company", keep, [drop])
    survivor = crm.json("show", keep)
    assert [lead["id"] for lead in survivor["leads"]] == [kept_lead, moved_lead]
    assert [note["text"] for note in survivor["notes"]] == ["Met at the fair"]
    assert survivor["city"] == "Kraków" and survivor["subindustry"] == "Welding robots"
    assert survivor["website"] == "https://www.acme.com"  # its own values are kept


def test_a_dropped_company_is_no_longer_listed_and_show_names_the_survivor(crm):
    keep, drop, _, _ = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    assert [c["id"] for c in crm.json("list", "companies")] == [keep]
    result = crm("show", drop)
    assert result.exit_code == 4
    assert one_line(result) == f"crmctl: error: {drop} was merged into {keep} by X1"


def test_merge_is_recorded_in_history(crm):
    keep, drop, _, moved_lead = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    survivor_history = [(h["action"], h["field"], h["new_value"]) for h in crm.json("history", keep)]
    assert ("merge", "city", "Kraków") in survivor_history
    dropped_history = crm.json("history", drop)
    assert (dropped_history[-1]["action"], dropped_history[-1]["new_value"]) == ("merge", keep)
    lead_history = crm.json("history", moved_lead)
    assert (lead_history[-1]["action"], lead_history[-1]["field"]) == ("merge", "company")


def test_merging_leads_moves_contacts_and_drops_those_the_survivor_has(crm):
    acme = add_company(crm, "Acme", "acme")
    keep = add_lead(crm, acme, "Jan Nowak", "--email", "jan@acme.com", "--contact", "facebook=jan.nowak")
    drop = add_lead(crm, acme, "Jan Nowak", "--email", "jan.nowak@gmail.com", "--phone", "+48601234567",
                    "--contact", "facebook=jan.nowak")
    crm.json("add", "comm", drop, "--type", "First Connection", "--channel", "LinkedIn", "--notes", "Hi")
    crm.json("dedup", "merge", keep, drop)
    survivor = crm.json("show", keep)
    assert survivor["emails"] == ["jan@acme.com", "jan.nowak@gmail.com"]
    assert survivor["phones"] == ["+48601234567"]
    assert [c["value"] for c in survivor["contacts"]].count("jan.nowak") == 1
    assert [m["notes"] for m in survivor["communications"]] == ["Hi"]
    assert crm.json("dedup", "check", "--email", "jan.nowak@gmail.com")[0]["id"] == keep


def test_unmerge_restores_the_dropped_company_with_its_id_and_what_was_its(crm):
    keep, drop, kept_lead, moved_lead = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    undone = crm.json("dedup", "unmerge", "X1")
    assert undone["undone_at"] is not None
    restored = crm.json("show", drop)
    assert restored["name"] == "Acme Robotic" and restored["city"] == "Kraków"
    assert [lead["id"] for lead in restored["leads"]] == [moved_lead]
    assert [note["text"] for note in restored["notes"]] == ["Met at the fair"]
    survivor = crm.json("show", keep)
    assert survivor["city"] is None and survivor["subindustry"] is None
    assert [lead["id"] for lead in survivor["leads"]] == [kept_lead]
    assert [c["id"] for c in crm.json("dedup", "check", "--name", "Acme Robotic")] == [drop, keep]
    assert "unmerge" in [h["action"] for h in crm.json("history", drop)]


def test_unmerge_restores_merged_leads_and_their_contacts(crm):
    acme = add_company(crm, "Acme", "acme")
    keep = add_lead(crm, acme, "Jan Nowak", "--email", "jan@acme.com")
    drop = add_lead(crm, acme, "Jan Nowak", "--email", "jan.nowak@gmail.com")
    crm.json("dedup", "merge", keep, drop)
    crm.json("dedup", "unmerge", "X1")
    assert crm.json("show", drop)["emails"] == ["jan.nowak@gmail.com"]
    assert crm.json("show", keep)["emails"] == ["jan@acme.com"]


def test_a_new_record_after_an_unmerge_gets_a_new_id(crm):
    keep, drop, _, _ = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    crm.json("dedup", "unmerge", "X1")
    assert add_company(crm, "Zeta", "zeta") == "C3"


def test_unmerging_twice_is_refused(crm):
    keep, drop, _, _ = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    crm.json("dedup", "unmerge", "X1")
    result = crm("dedup", "unmerge", "X1")
    assert result.exit_code == 3
    assert "already undone" in one_line(result)


def test_merge_needs_a_manager(crm):
    with_agents(crm)
    keep = add_company(crm, "Acme", "acme", acting=BOSS)
    drop = add_company(crm, "Acme Inc", "acme-inc", acting=BOSS)
    refused = crm("dedup", "merge", keep, drop, acting=ANN)
    assert refused.exit_code == 5
    assert crm("dedup", "merge", keep, drop, "--format", "json", acting=MIA).exit_code == 0


@pytest.mark.parametrize("drop", ["L1", "C1"])
def test_merging_a_lead_into_a_company_or_a_record_into_itself_is_bad_input(crm, drop):
    acme = add_company(crm, "Acme", "acme")
    add_lead(crm, acme, "Jan Nowak")
    result = crm("dedup", "merge", acme, drop)
    assert result.exit_code == 2
    assert len(crm.json("list", "companies")) == 1


def test_merging_an_unknown_record_is_not_found(crm):
    acme = add_company(crm, "Acme", "acme")
    result = crm("dedup", "merge", acme, "C99")
    assert result.exit_code == 4
    assert one_line(result) == "crmctl: error: C99 not found"


def test_a_record_merged_twice_names_the_whole_chain(crm):
    first = add_company(crm, "Acme", "acme")
    second = add_company(crm, "Acme Inc", "acme-inc")
    third = add_company(crm, "Acme Ltd", "acme-ltd")
    crm.json("dedup", "merge", second, third)
    crm.json("dedup", "merge", first, second)
    result = crm("show", third)
    assert result.exit_code == 4
    assert one_line(result) == (f"crmctl: error: {third} was merged into {second} by X1, "
                                f"and {second} was merged into {first} by X2")
