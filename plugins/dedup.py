"""Find, explain, merge and unmerge duplicate companies and leads.

The matching rules live in crmctl.dedup, the merge in crmctl.records.merge and crmctl.records.unmerge;
this module parses options and prints.
"""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, print_record, print_records
from crmctl.cli.session import pass_session


class ScoreRange(click.FloatRange):
    """A FloatRange that refuses nan too: nan compares false to both ends, so FloatRange lets it through."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{number} is not in the range {self.min:g}<=x<={self.max:g}.", param, ctx)
        return number


@click.group()
def dedup():
    """Find, explain, merge and unmerge duplicate companies and leads."""


def check_lookups(name, website, linkedin, emails, phones, country):
    """Normalised keys for `dedup check`; a LinkedIn URL may be a company page or a profile."""
    from crmctl.rules.contacts import country_code, email_key, phone_key
    from crmctl.rules.names import company_name_key
    from crmctl.rules.web import linkedin_company_key, linkedin_profile_key, website_key
    from crmctl.errors import BadInput

    company, lead = {}, {}
    if country:
        company["country"] = country_code(country)
    if name and name.strip():
        company["name_key"] = company_name_key(name)
    if website:
        company["website_key"] = website_key(website)
    if linkedin:
        try:
            company["linkedin_key"] = linkedin_company_key(linkedin)
        except BadInput:
            try:
                lead["linkedin_key"] = linkedin_profile_key(linkedin)
            except BadInput:
                raise BadInput(f"LinkedIn URL {linkedin!r} is not a LinkedIn /company/ or /in/ page URL")
    if emails:
        lead["email_keys"] = [email_key(email) for email in emails]
    if phones:
        lead["phone_keys"] = [phone_key(phone, company.get("country")) for phone in phones]
    if not (set(company) - {"country"}) and not lead:
        raise BadInput("give something to check: --name, --website, --linkedin, --email or --phone")
    return company, lead


@dedup.command("check")
@click.option("--name", help="A company name (fuzzy match).")
@click.option("--website", metavar="URL", help="A company website (exact match on its host).")
@click.option("--linkedin", metavar="URL", help="A LinkedIn /company/ page or /in/ profile (exact).")
@click.option("--email", "emails", multiple=True, metavar="EMAIL", help="A lead's email (repeatable).")
@click.option("--phone", "phones", multiple=True, metavar="PHONE", help="A lead's phone (repeatable).")
@click.option("--country", metavar="CC", help="The company's country (names match within a country).")
@format_option
@pass_session
def check_command(session, name, website, linkedin, emails, phones, country, output_format):
    """List the companies and leads that these values would duplicate (exit 0 either way)."""
    from crmctl.dedup.candidates import company_candidates
    from crmctl.dedup.lead_candidates import lead_candidates
    from crmctl.rules.settings import load_settings

    company, lead = check_lookups(name, website, linkedin, emails, phones, country)
    session.open()
    candidates = []
    if set(company) - {"country"}:
        candidates += company_candidates(load_settings(), **company)
    if lead:
        candidates += lead_candidates(**lead)
    candidates.sort(key=lambda c: (not c.exact, -c.score, c.kind, int(c.id[1:])))
    rows = [candidate.to_dict() for candidate in candidates]
    if output_format != "json":
        for row in rows:
            row["reasons"] = "; ".join(row["reasons"])
    print_records(rows, output_format, columns=["id", "kind", "name", "score", "reasons"])


@dedup.command("explain")
@click.argument("left", metavar="A")
@click.argument("right", metavar="B")
@format_option
@pass_session
def explain_command(session, left, right, output_format):
    """Compare two companies or two leads field by field, with the overall score and verdict."""
    from crmctl.dedup.explain import explain

    session.open()
    explained = explain(left, right)
    if output_format == "json":
        print_record(explained, output_format)
        return
    summary = {key: value for key, value in explained.items() if key != "fields"}
    print_record(summary, output_format)
    click.echo("")
    print_records(explained["fields"], output_format, columns=["field", "left", "right", "score", "rule"])


@dedup.command("scan")
@click.option("--min-score", type=ScoreRange(0, 100), default=None,
              help="Lowest score that joins two companies (default: the setting likely_duplicate_min_score).")
@click.option("--country", metavar="CC", help="Scan only the companies of this country.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N", help="Show the first N clusters.")
@format_option
@pass_session
def scan_command(session, min_score, country, limit, output_format):
    """Clusters of likely duplicate companies over the whole database, best first, with their pairs' reasons."""
    from crmctl.dedup.scan import TABLE_COLUMNS, cluster_records, cluster_rows, scan_companies
    from crmctl.rules.contacts import country_code

    country = country_code(country) if country else None
    session.open()
    clusters = scan_companies(min_score, country=country, limit=limit)
    if output_format == "json":
        print_records(cluster_records(clusters), output_format)
    else:
        print_records(cluster_rows(clusters), output_format, columns=TABLE_COLUMNS)


@dedup.command("merge")
@click.argument("keep", metavar="KEEP")
@click.argument("drop", metavar="DROP...", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would move and which fields would be filled; write nothing.")
@click.option("--yes", is_flag=True, help="Merge without asking (on a terminal, merge asks to confirm).")
@format_option
@pass_session
def merge_command(session, keep, drop, dry_run, yes, output_format):
    """Merge DROP records into KEEP: move what hangs on them, fill KEEP's empty fields (managers)."""
    import sys

    from crmctl.records.merge import merge_records, plan_table, preview_merge
    from crmctl.cli.output import cell_text, message
    from crmctl.kinds.shapes import record_dict

    session.open()
    if dry_run or (not yes and sys.stdin.isatty()):  # a script (stdin not a terminal) is never asked
        plan = preview_merge(session.actor, keep, drop)
        if dry_run:
            print_record(plan if output_format == "json" else plan_table(plan), output_format)
            return
        for name, value in plan_table(plan).items():
            message(f"{name}: {cell_text(value)}")
        if not click.confirm(f"Merge {', '.join(plan['dropped'])} into {plan['survivor']}?", err=True):
            message("nothing merged")
            return
    merge = merge_records(session.actor, keep, drop)
    shown = record_dict("merge", merge)
    message(f"merged {', '.join(shown['dropped'])} into {shown['survivor']} ({shown['id']}; "
            f"undo with `crmctl dedup unmerge {shown['id']}`)")
    print_record(shown, output_format)


@dedup.command("unmerge")
@click.argument("merge_id", metavar="MERGE")
@format_option
@pass_session
def unmerge_command(session, merge_id, output_format):
    """Undo a merge (X12): restore the dropped records and give back what was theirs, keeping later edits."""
    from crmctl.records.unmerge import unmerge
    from crmctl.cli.output import message
    from crmctl.kinds.shapes import record_dict

    session.open()
    merge, kept = unmerge(session.actor, merge_id)
    shown = dict(record_dict("merge", merge), kept=kept)
    message(f"undid {shown['id']}: {', '.join(shown['dropped'])} restored"
            + (f"; kept as changed since the merge: {', '.join(kept)}" if kept else ""))
    print_record(shown, output_format)
