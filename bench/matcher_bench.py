"""How many of the real ways companies are written crmctl's duplicate check catches, per variant family (issue 8),
beside a plain rapidfuzz baseline measured in the same run.

    python bench/matcher_bench.py [--misses]

tests/data/company_variants.csv holds a few hundred pairs of real and realistic
company names, each a stored legal name and the way a person types it again,
grouped by family (legal form written out, a web address, a transliteration,
an acronym, look-alike names of distinct companies ...) with what crmctl must
do: `likely` (refuse unless --force), `possible` (report, do not refuse) or
`distinct` (do not refuse).

Every stored name goes into a real SQLite database through crmctl's own
batch path (`add_companies`, forced), each company with its own website and
LinkedIn page; then every typed name is checked in one batch the way `add
company` checks it (`check_companies`), with another website and LinkedIn page,
so only the name can match. A pair is judged by the band of its own stored
company among the candidates: refused when exact or likely, reported when
possible. Figures per family:

- likely families: the share of pairs refused as likely (recall);
- acronym: the share reported as a possible duplicate, not refused;
- distinct families: how many pairs were WRONGLY refused.

The baseline flags a pair when `rapidfuzz.fuzz.WRatio(stored, typed,
processor=rapidfuzz.utils.default_process) >= 90`, whatever the countries. It
has no bands, so for the acronym family its figure is the share flagged.
`--misses` lists each pair crmctl judged wrongly, with the band and score.
"""
import argparse
import csv
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS_FILE = os.path.join(HERE, os.pardir, "tests", "data", "company_variants.csv")
BASELINE_MIN_SCORE = 90
REFUSED_BANDS = ("exact", "likely")


def variant_pairs(path=VARIANTS_FILE):
    with open(path, encoding="utf-8", newline="") as variants:
        return list(csv.DictReader(variants))


def company_row(name, country, tag):
    """What `add company` takes, with a website and LinkedIn page of its own (`tag`), so they never match."""
    return {"name": name, "website": f"https://{tag}.com", "linkedin_url": f"https://www.linkedin.com/company/{tag}",
            "employee_count": 100, "industry": "Manufacturing", "subindustry": None, "country": country,
            "city": None}


def band(candidate, likely_min_score):
    """A candidate's band: the matcher's own when it gives one, else the likely threshold decides."""
    given = getattr(candidate, "band", None)
    if given:
        return given
    if candidate.exact:
        return "exact"
    return "likely" if candidate.score >= likely_min_score else "possible"


def crmctl_judgements(pairs, url):
    """Per pair (band, score) of its stored company among the typed name's candidates, or (None, None)."""
    from crmctl.dedup.candidates import CompanyMatcher
    from crmctl.records.companies import add_companies, check_companies
    from crmctl.rules.permissions import Actor
    from crmctl.rules.settings import load_settings
    from crmctl.storage.connection import connect_database
    from crmctl.storage.schema import ensure_current_schema

    database = connect_database(url)
    ensure_current_schema(database)
    settings = load_settings()
    stored = add_companies(Actor(single_user=True), force=True, settings=settings, rows=[
        company_row(pair["stored"], pair["stored_country"], f"stored-{number}") for number, pair in enumerate(pairs)])
    stored_ids = [f"C{outcome.record_id}" for outcome in stored]
    checked = check_companies([company_row(pair["typed"], pair["typed_country"], f"typed-{number}")
                               for number, pair in enumerate(pairs)],
                              settings=settings, matcher=CompanyMatcher(settings))
    judgements = []
    for stored_id, outcome in zip(stored_ids, checked):
        if outcome.error is not None:
            raise SystemExit(f"typed row {outcome.index + 1} was rejected: {outcome.error}")
        # check_companies may keep possible duplicates apart from those the policy decides on
        own = [c for c in list(outcome.candidates) + list(getattr(outcome, "possible", [])) if c.id == stored_id]
        judgements.append((band(own[0], settings["likely_duplicate_min_score"]), own[0].score) if own
                          else (None, None))
    database.close()
    return judgements


def baseline_flags(pairs):
    from rapidfuzz import fuzz, utils

    return [fuzz.WRatio(pair["stored"], pair["typed"], processor=utils.default_process) >= BASELINE_MIN_SCORE
            for pair in pairs]


def crmctl_right(expected, judged_band):
    """Did crmctl do what the pair expects? (For distinct pairs: was it left alone.)"""
    if expected == "likely":
        return judged_band in REFUSED_BANDS
    if expected == "possible":
        return judged_band == "possible"
    return judged_band not in REFUSED_BANDS


def baseline_right(expected, flagged):
    return flagged if expected in ("likely", "possible") else not flagged


def share(right, total):
    return f"{right}/{total} ({100.0 * right / total:.0f} %)" if total else "-"


def figure(expected, right, total):
    """Recall for likely and possible families, the count wrongly refused for distinct ones."""
    return share(right, total) if expected != "distinct" else f"{total - right} of {total}"


def table(pairs, judgements, flags):
    from tabulate import tabulate

    families = list(dict.fromkeys(pair["family"] for pair in pairs))
    expected_of = {pair["family"]: pair["expected"] for pair in pairs}
    counts = defaultdict(Counter)
    for pair, (judged_band, _score), flagged in zip(pairs, judgements, flags):
        tally = counts[pair["family"]]
        tally["pairs"] += 1
        tally["crmctl"] += crmctl_right(pair["expected"], judged_band)
        tally["baseline"] += baseline_right(pair["expected"], flagged)
    rows = []
    for family in families:
        expected, tally = expected_of[family], counts[family]
        rows.append([family, expected, tally["pairs"], figure(expected, tally["crmctl"], tally["pairs"]),
                     figure(expected, tally["baseline"], tally["pairs"])])
    for expected, label in (("likely", "all duplicates (likely)"), ("possible", "all acronyms (possible)"),
                            ("distinct", "all distinct")):
        total = Counter()
        for family in families:
            if expected_of[family] == expected:
                total.update(counts[family])
        rows.append([label, expected, total["pairs"], figure(expected, total["crmctl"], total["pairs"]),
                     figure(expected, total["baseline"], total["pairs"])])
    headers = ["family", "expects", "pairs", "crmctl", f"WRatio >= {BASELINE_MIN_SCORE}"]
    return tabulate(rows, headers=headers, tablefmt="github")


def misses(pairs, judgements):
    lines = []
    for pair, (judged_band, score) in zip(pairs, judgements):
        if not crmctl_right(pair["expected"], judged_band):
            found = f"{judged_band} {score:g}" if judged_band else "not found"
            lines.append(f"{pair['family']}: {pair['stored']!r} ({pair['stored_country']}) / {pair['typed']!r} "
                         f"({pair['typed_country']}): expected {pair['expected']}, crmctl {found}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list each pair crmctl judged wrongly")
    arguments = parser.parse_args()
    pairs = variant_pairs()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crmctl-matcher-bench-") as directory:
        judgements = crmctl_judgements(pairs, f"sqlite:///{os.path.join(directory, 'crm.db')}")
    crmctl_seconds = time.perf_counter() - started
    flags = baseline_flags(pairs)
    print(f"Variant families of issue 8: {len(pairs)} pairs from {os.path.relpath(VARIANTS_FILE)}; "
          "likely/possible rows give recall, distinct rows the pairs WRONGLY refused (fewer is better).")
    print(table(pairs, judgements, flags))
    print(f"crmctl: every stored name added and every typed name checked in one batch on SQLite, "
          f"{crmctl_seconds:.1f} s in all")
    if arguments.misses:
        print("\n".join(misses(pairs, judgements)) or "no misses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
