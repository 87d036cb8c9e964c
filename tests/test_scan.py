"""`dedup scan` at scale (issue 8): the evidence two companies carry, clusters a person can review, and the options
to work through a large result. The comparison and the clustering in process; the command through the real CLI
on SQLite, PostgreSQL and MariaDB."""
import pytest

from crmctl.dedup.evidence import CompanyFacts, compare_companies
from crmctl.dedup.keys import compact, core_name_key, sorted_name_key
from crmctl.dedup.scan import scan_company_rows
from crmctl.dedup.scan_pairs import company_texts
from crmctl.rules.names import company_name_key
from crmctl.rules.settings import DEFAULTS

LIKELY = DEFAULTS["likely_duplicate_min_score"]


def facts(name, country="PL", website=None, linkedin=None):
    return CompanyFacts(company_name_key(name), country, website, linkedin)


def scanned(*companies, min_score=LIKELY):
    """The clusters (lists of 1-based positions) that the scan makes of (name, country, website, linkedin) rows."""
    rows = [(number, *facts(*company)) for number, company in enumerate(companies, 1)]
    return sorted(sorted(ids) for ids, _score in scan_company_rows(rows, min_score))


# --- the comparison both the look-up and the scan use -------------------------


def test_a_word_order_swap_alone_is_at_most_a_possible_duplicate():
    comparison = compare_companies(facts("Williams-Morales", website="williams-morales.pl"),
                                   facts("Morales-Williams", website="morales-williams.pl"))
    assert comparison.rule == "same words in another order"
    assert comparison.score < LIKELY
    assert comparison.notes == ("word order alone (at most 80)",)


def test_the_same_domain_label_under_another_ending_raises_a_pair():
    comparison = compare_companies(facts("Williams-Morales", website="williams-morales.pl"),
                                   facts("Morales-Williams", website="williams-morales.com"))
    assert comparison.score >= LIKELY
    assert comparison.notes == ("same domain label 'williams-morales' (williams-morales.pl / williams-morales.com) "
                                "(+10)",)


def test_a_subdomain_of_the_same_domain_raises_a_pair():
    comparison = compare_companies(facts("Acme Robotics", website="shop.acme.co.uk"),
                                   facts("Acme Robotic", website="acme.co.uk"))
    assert comparison.notes == ("same domain 'acme.co.uk' (shop.acme.co.uk / acme.co.uk) (+10)",)


def test_a_linkedin_slug_that_reads_as_the_other_name_raises_a_pair():
    comparison = compare_companies(facts("Morales Williams", linkedin="company/williams-morales-sp-z-o-o"),
                                   facts("Williams Morales Sp. z o.o.", linkedin="company/wm-group"))
    assert comparison.score >= LIKELY
    assert comparison.notes == ("LinkedIn company/williams-morales-sp-z-o-o reads as 'williams morales' (+10)",)


@pytest.mark.parametrize("slug, name", [("logistik-mueller", "Logistik Müller GmbH"),
                                        ("weber-and-schmidt", "Weber & Schmidt")])
def test_a_slug_is_read_with_the_name_rules(slug, name):
    comparison = compare_companies(facts("Schmidt Weber Logistik Muller", linkedin=f"company/{slug}"),
                                   facts(name, linkedin="company/other"))
    assert comparison.notes == (f"LinkedIn company/{slug} reads as {company_name_key(name)!r} (+10)",)


def test_companies_in_two_countries_lose_twenty_points_even_with_their_websites_agreeing():
    comparison = compare_companies(facts("Kowalski Logistics", "PL", "kowalski.pl"),
                                   facts("Kowalski Logistics", "DE", "kowalski.de"))
    assert comparison.score == 80
    assert comparison.notes[-1] == "country PL != DE (-20)"


def test_different_websites_do_not_lower_a_pair():
    typo = compare_companies(facts("Acme Robotics", website="acme.pl"), facts("Acme Robotic", website="other.pl"))
    assert typo.score >= LIKELY
    assert typo.notes == ()


def test_labels_that_are_only_public_suffix_parts_do_not_agree():
    comparison = compare_companies(facts("Acme Robotics", website="acme.co.uk"),
                                   facts("Acme Robotic", website="zentra.co.uk"))
    assert comparison.notes == ()


# --- the clusters --------------------------------------------------------------


@pytest.mark.parametrize("name", ["Kowalski Logistics", "Weber & Schmidt", "Müller Maschinenbau AG", "Strasse Bau Group",
                                  "Sandvik Aerospace", "Zentrava", "Nordic Cargo Systems Holdings"])
def test_the_scan_reads_names_as_the_score_does(name):
    key = company_name_key(name)
    whole, ordered, core = company_texts(key)
    assert (whole, ordered) == (compact(key), compact(sorted_name_key(key)))
    assert core in (None, compact(core_name_key(key)))


def test_scan_does_not_cluster_a_word_order_swap_alone():
    assert scanned(("Williams-Morales", "PL", "williams-morales.pl"),
                   ("Morales-Williams", "PL", "morales-williams.pl")) == []


def test_scan_clusters_a_word_order_swap_when_the_domain_label_agrees():
    assert scanned(("Williams-Morales", "PL", "williams-morales.pl"),
                   ("Morales-Williams", "PL", "williams-morales.com")) == [[1, 2]]


def test_scan_clusters_a_word_order_swap_when_the_linkedin_slug_agrees():
    assert scanned(("Williams-Morales", "PL", None, "company/morales-williams"),
                   ("Morales-Williams", "PL", None, "company/morales-williams-sp-z-o-o")) == [[1, 2]]


def test_scan_finds_a_letter_typed_twice_or_dropped():
    # The stored keys carry their form's length: these pairs share none and are found by deleting letters.
    assert scanned(("Kowalski Logistics",), ("Kowalskii Logistics",), ("Nordic Steel Works",),
                   ("Nordic Stel Works",)) == [[1, 2], [3, 4]]


def test_scan_finds_two_companies_of_different_names_whose_websites_share_a_label():
    assert scanned(("Acme Robotics Systems", "PL", "acme-robotics.pl"),
                   ("Acme Robotic Systemz", "PL", "acme-robotics.de")) == [[1, 2]]


def test_scan_does_not_join_the_same_name_in_two_countries():
    assert scanned(("Kowalski Logistics", "PL", "kowalski.pl"), ("Kowalski Logistics", "DE", "kowalski.de")) == []


def test_scan_does_not_chain_typos_even_when_one_name_is_stored_twice():
    assert scanned(("Torzor",), ("Torcor",), ("Zorcor",), ("Torzor GmbH",), ("Zorcor",)) == [[1, 2, 4], [3, 5]]


# --- the command ---------------------------------------------------------------


def add_company(crm, name, website, country="PL", linkedin=None):
    slug = linkedin or website.replace(".", "-")
    return crm.json("add", "company", "--name", name, "--website", f"https://www.{website}",
                    "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "50",
                    "--industry", "Logistics", "--country", country, "--force")["id"]


def crowded(crm):
    """Two clusters in Poland (a legal form and a typo; a word-order swap whose domains agree), one in Germany,
    and look-alikes that are not duplicates."""
    ids = {
        "kowalski": add_company(crm, "Kowalski Logistics Sp. z o.o.", "kowalski.pl"),
        "kowalski-typo": add_company(crm, "Kowalsky Logistics", "kowalsky.pl"),
        "weber": add_company(crm, "Weber & Schmidt", "weber-schmidt.pl"),
        "schmidt": add_company(crm, "Schmidt & Weber", "weber-schmidt.com"),
        "morales": add_company(crm, "Williams Morales", "williams-morales.pl"),
        "williams": add_company(crm, "Morales Williams", "morales-williams.pl"),
        "muller": add_company(crm, "Müller Maschinenbau GmbH", "mueller-maschinenbau.de", "DE"),
        "mueller": add_company(crm, "Mueller Maschinenbau", "muller-mb.de", "DE"),
    }
    add_company(crm, "General Electric", "ge.com", "US")
    add_company(crm, "General Motors", "gm.com", "US")
    return ids


def test_scan_shows_each_clusters_names_and_pairs_with_scores_and_reasons(crm):
    ids = crowded(crm)
    clusters = crm.json("dedup", "scan")
    assert [cluster["ids"] for cluster in clusters] == [
        [ids["weber"], ids["schmidt"]], [ids["muller"], ids["mueller"]], [ids["kowalski"], ids["kowalski-typo"]]]
    swap = clusters[0]
    assert set(swap) == {"ids", "score", "names", "pairs"}
    assert swap["names"] == ["Weber & Schmidt", "Schmidt & Weber"]
    assert swap["pairs"] == [{
        "a": ids["weber"], "b": ids["schmidt"], "score": 100.0,
        "reasons": ["name 'weber and schmidt' ~ 'schmidt and weber' (same words in another order)",
                    "same domain label 'weber-schmidt' (weber-schmidt.pl / weber-schmidt.com) (+10)"]}]
    typo = clusters[2]
    assert LIKELY <= typo["score"] < 100
    assert typo["pairs"][0]["score"] == typo["score"]
    assert typo["pairs"][0]["reasons"] == ["name 'kowalski logistics' ~ 'kowalsky logistics' (fuzzy)"]


def test_scan_table_shows_names_countries_and_websites_beside_the_pairs(crm):
    ids = crowded(crm)
    result = crm("dedup", "scan", "--format", "table", "--country", "DE")
    assert result.exit_code == 0, result.output
    header, _rule, first, second, pair = result.stdout.splitlines()
    assert header.split() == ["cluster", "id", "name", "country", "website", "score", "reasons"]
    assert first.split()[:4] == ["1", "(97)", ids["muller"], "Müller"]
    assert "DE" in first.split() and "https://www.mueller-maschinenbau.de" in first.split()
    assert second.split()[0] == ids["mueller"]
    assert pair.split()[:2] == [f"{ids['muller']}~{ids['mueller']}", "97"]
    assert "(same name apart from transliteration)" in pair


def test_scan_country_scans_the_companies_of_one_country(crm):
    ids = crowded(crm)
    assert [cluster["ids"] for cluster in crm.json("dedup", "scan", "--country", "Germany")] == [
        [ids["muller"], ids["mueller"]]]
    assert crm.json("dedup", "scan", "--country", "US") == []


def test_scan_limit_shows_the_first_clusters_best_first(crm):
    ids = crowded(crm)
    assert [cluster["ids"] for cluster in crm.json("dedup", "scan", "--limit", "1")] == [[ids["weber"], ids["schmidt"]]]


def test_scan_min_score_lets_a_word_order_swap_alone_in(crm):
    ids = crowded(crm)
    clusters = crm.json("dedup", "scan", "--min-score", "80")
    swap = next(cluster for cluster in clusters if ids["morales"] in cluster["ids"])
    assert swap["ids"] == [ids["morales"], ids["williams"]]
    assert swap["pairs"][0]["reasons"][-1] == "word order alone (at most 80)"


@pytest.mark.parametrize("options, message", [
    (["--country", "Atlantis"], "crmctl: error: country 'Atlantis' is not a known country"),
    (["--limit", "0"], "Error: Invalid value for '--limit': 0 is not in the range x>=1."),
    (["--min-score", "101"], "Error: Invalid value for '--min-score': 101.0 is not in the range 0<=x<=100."),
])
def test_scan_refuses_bad_options_in_one_line(crm, options, message):
    result = crm("dedup", "scan", *options)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == message
