"""`import run`: a spreadsheet's rows through the core's one write path, the whole file in one transaction.

The file side (`reading`, `headers`, `cells`) turns the file into clean rows;
companies go through `crmctl.records.companies.add_companies` and leads through
`crmctl.records.leads.add_leads`, many rows per call, so every rule and the
duplicate policy (`crmctl.dedup.decide`) are the ones `add` applies. A row that
is refused never stops the others; a crash leaves all of the batch or none of it.
"""
import json
from dataclasses import dataclass, field

from crmctl.dates import utcnow
from crmctl.dedup.decide import DUPLICATE_POLICIES, duplicate_changes
from crmctl.errors import BadInput, CrmError, ExitStatus
from crmctl.lifecycle.allocation import round_robin_owners
from crmctl.records.batch import WRITE_CHUNK, insert_rows, run_in_transaction, update_records
from crmctl.records.companies import add_companies
from crmctl.records.history import history_text
from crmctl.records.leads import add_leads
from crmctl.records.scoring import COMPANY_FIELDS_SCORED, LEAD_FIELDS_SCORED, rescore_company_leads, rescore_leads
from crmctl.rules.permissions import require, working_agent
from crmctl.rules.settings import load_settings
from crmctl.rules.values import check_fits, clean_text
from crmctl.storage.connection import unmapped_for_bulk_work
from crmctl.storage.models import Company, ImportBatch, Lead, Submission
from crmctl.transfer.batches import take_back_companies
from crmctl.transfer.cells import is_blank_row, text_of
from crmctl.transfer.headers import REJECTS_COLUMNS, match_headers
from crmctl.transfer.reading import open_table
from crmctl.transfer.template import COMPANY, LEAD, SUBMISSION

# Fields an existing record takes from a duplicate row (--on-duplicate update|merge); identities
# (names, websites, LinkedIn pages, contacts) stay as they are, so no duplicate check is needed.
COMPANY_UPDATABLE = ("employee_count", "industry", "subindustry", "city")
LEAD_UPDATABLE = ("position", "connections", "status", "follow_up_on")
# File rows checked and written together: a progress step, and what one chunk of work holds in memory.
IMPORT_CHUNK = 2000
READ_STEP = 1000  # rows read between two progress calls
COUNTED = ("created", "updated", "merged", "skipped", "rejected")
# Words of the core's messages and the template column each names, so a rejection names its column.
COMPANY_WORDS = (("duplicate", "Company Name"), ("website", "Website"), ("linkedin", "Company LinkedIn"),
                 ("employee", "Employees"), ("subindustry", "Subindustry"), ("industry", "Industry"),
                 ("country", "Country"), ("city", "City"), ("name", "Company Name"))
LEAD_WORDS = (("duplicate", "Email"), ("connections", "Connections"), ("email", "Email"), ("e-mail", "Email"),
              ("phone", "Phone"), ("linkedin", "Lead LinkedIn"), ("follow", "Follow Up On"),
              ("status", "Status"), ("position", "Position"), ("name", "Lead Name"), ("leads", "Company Name"))


def reason_naming_column(message, words):
    """The core's message with the template column it is about in front (the first word of `words` it holds)."""
    lowered = message.lower()
    column = next((column for word, column in words if word in lowered), None)
    return f"{column}: {message}" if column else message


class RowsRejected(CrmError):
    """The import finished, and some rows were refused (exit 6); the summary was printed."""

    exit_status = ExitStatus.IMPORT_REJECTED_ROWS


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll the whole transaction back."""


@dataclass
class ImportRow:
    """One non-blank data row: where it is in the file, its cells, and what became of it."""

    number: int
    raw: list
    cells: dict = None
    outcome: str = None  # created, updated, merged, skipped, rejected
    reason: str = None
    company_id: int = None
    lead_id: int = None
    duplicate_of_row: int = None
    extra: dict = field(default_factory=dict)
    problem: str = None  # what reading found wrong with its cells

    def reject(self, reason):
        self.outcome, self.reason = "rejected", reason

    def reset(self):
        """As read from the file: a transaction run again (a deadlock, a race) starts from here."""
        self.outcome, self.reason = ("rejected", self.problem) if self.problem else (None, None)
        self.company_id = self.lead_id = self.duplicate_of_row = None
        self.extra = {}


def read_rows(path, sheet=None, mapping=None, ignore_unknown=False, progress=None):
    """(header texts, [ImportRow]) of a file: every problem of a cell makes its row rejected, naming the column."""
    from crmctl.transfer.cells import clean_row

    with open_table(path, sheet) as table:
        columns = match_headers(table.header, mapping, ignore_unknown)
        header = ["" if cell is None else str(cell) for cell in table.header]
        rows = []
        for number, values in table.rows:
            if is_blank_row(values):
                continue
            cleaned, problems = clean_row(columns, values, table.datemode, header=table.header)
            problems += submission_problems(cleaned)
            row = ImportRow(number, list(values), cleaned)
            if problems:
                column, message = problems[0]
                row.problem = f"{column}: {message}" if column and not message.startswith(column) else message
                row.reject(row.problem)
            rows.append(row)
            if progress and len(rows) % READ_STEP == 0:
                progress("read", len(rows), None)
    if not rows:
        raise BadInput(f"{path} has a header row but no data rows: nothing to import")
    return header, rows


def submission_problems(cells):
    """The cells only a submission keeps (Campaign, Source) against their columns: [(column, message)].

    Companies and leads are checked by the core as they are added; these cells
    go straight into the submission, so a row whose campaign does not fit is
    refused here, before anything of it is stored.
    """
    from crmctl.transfer.template import COLUMNS

    problems = []
    for column in COLUMNS:
        if column.entity == SUBMISSION and cells.get(column.name) is not None:
            try:
                check_fits(Submission, {column.field: cells[column.name]})
            except BadInput as error:
                problems.append((column.name, error.message))
    return problems


def company_fields(cells):
    from crmctl.transfer.template import COLUMNS

    return {c.field: cells.get(c.name) for c in COLUMNS if c.entity == COMPANY}


def lead_fields(cells):
    from crmctl.transfer.template import COLUMNS

    return {c.field: cells.get(c.name) for c in COLUMNS if c.entity == LEAD}


def import_file(actor, path, sheet=None, mapping=None, ignore_unknown=False, on_duplicate="skip", force=False,
                dry_run=False, campaign=None, source=None, assign_to=None, round_robin=False, rejects=None,
                progress=None):
    """Import one file; returns (summary dict, rows). Nothing is written on a dry run or on bad input.

    `progress(stage, done, total)`, if given, hears of the work as it goes: ("read", rows read, None)
    every READ_STEP rows, then ("written", rows checked and written, rows to write) after each chunk.
    """
    import os

    unmapped_for_bulk_work()
    if on_duplicate not in DUPLICATE_POLICIES:
        raise BadInput(f"--on-duplicate must be one of {', '.join(DUPLICATE_POLICIES)}, not {on_duplicate!r}")
    if assign_to and round_robin:
        raise BadInput("give --assign-to AGENT or --round-robin, not both")
    if rejects is not None:
        from crmctl.transfer.writing import check_rejects_target

        check_rejects_target(rejects, path)
    # Given once for the batch and its rows: too long a text is refused before anything is read.
    campaign = clean_text(campaign, "--campaign", ImportBatch.campaign)
    source = clean_text(source, "--source", ImportBatch.source)
    require(actor, "import")
    header, rows = read_rows(path, sheet, mapping, ignore_unknown, progress)
    settings = load_settings()
    if assign_to:
        assign_to = working_agent(assign_to, "own leads").email
    result = {}

    def write():
        batch = ImportBatch.create(file_name=os.path.basename(str(path))[:255], sheet=sheet, campaign=campaign,
                                   source=source, created_by=actor.agent.id if actor.agent else None)
        store_rows(actor, rows, batch.id, settings, on_duplicate, force, campaign, source, assign_to, round_robin,
                   progress)
        summary = summary_of(rows, batch.id)
        ImportBatch.update(summary=json.dumps(summary)).where(ImportBatch.id == batch.id).execute()
        result["summary"] = summary
        if dry_run:
            raise _DryRunDone()

    try:
        run_in_transaction(write)
    except _DryRunDone:
        result["summary"]["batch"] = None
    result["rejects_problem"] = None
    if rejects is not None:
        from crmctl.transfer.writing import write_rows

        try:
            write_rows(rejects, header + list(REJECTS_COLUMNS),
                       ([*row.raw[:len(header)], *[""] * (len(header) - len(row.raw)), row.number, row.reason]
                        for row in rows if row.outcome == "rejected"))
        except BadInput as error:  # the batch is stored: its summary still stands, and says so
            result["rejects_problem"] = error.message
    return result["summary"], rows, result["rejects_problem"]


def summary_of(rows, batch_id):
    counts = {name: sum(1 for row in rows if row.outcome == name) for name in COUNTED}
    return {"batch": batch_id, "rows": len(rows), **counts}


def store_rows(actor, rows, batch_id, settings, on_duplicate, force, campaign, source, assign_to, round_robin,
               progress):
    """The file's rows, IMPORT_CHUNK at a time: new companies, then leads, then submissions, batched per chunk.

    Later chunks find what earlier ones stored (one transaction), so a company or
    person met again is folded as within one chunk: a match to a record this batch
    created is the file's own repeat (skipped, "Duplicate of row N"), never an
    update of a stored record. `progress("written", rows done, rows to do)` is called after each chunk.
    """
    for row in rows:
        row.reset()
    # Rows that repeat one company's cells are one company row: 300 rows of one firm, one check.
    company_of_key, created_companies, stored_companies = {}, set(), {}
    lead_row_of, stored_leads = {}, {}  # lead created by this batch -> the number of the row that created it
    owners = LeadOwners(assign_to, round_robin)
    live_count = sum(1 for row in rows if row.outcome is None)
    done = 0
    for start in range(0, len(rows), IMPORT_CHUNK):
        chunk = rows[start:start + IMPORT_CHUNK]
        live = [row for row in chunk if row.outcome is None]
        keys, unique, position_of, first_row = [], [], {}, []
        for row in live:
            values = company_fields(row.cells)
            key = tuple(sorted((k, str(v)) for k, v in values.items()))
            keys.append(key)
            if key not in company_of_key and key not in position_of:
                position_of[key] = len(unique)
                unique.append(values)
                first_row.append(row.number)
        outcomes = add_companies(actor, unique, force=force, batch=batch_id, settings=settings,
                                 on_duplicate="skip") if unique else []
        refusals = []
        for key, outcome in zip(position_of, outcomes):
            refusal = None
            if outcome.error is not None:
                refusal = reason_naming_column(outcome.error.message, COMPANY_WORDS)
            elif outcome.record_id is None:  # the same company as an earlier row, which was refused
                earlier = outcome.candidates[0].row
                refusal = f"the same company as row {first_row[earlier]}, rejected: {refusals[earlier]}"
            refusals.append(refusal)
            if refusal is not None:
                company_of_key[key] = (None, refusal)
                continue
            company_of_key[key] = (outcome.record_id, None)
            if outcome.action != "skip":
                created_companies.add(outcome.record_id)
            elif outcome.candidates[0].id and outcome.record_id not in created_companies:
                stored_companies.setdefault(outcome.record_id, outcome.values)
        for row, key in zip(live, keys):
            row.company_id, refusal = company_of_key[key]
            if refusal is not None:
                row.reject(refusal)
        live = [row for row in live if row.outcome is None]
        lead_rows = []
        for row, owner in zip(live, owners.of(live)):
            fields = lead_fields(row.cells)
            if fields.get("follow_up_on") is not None:
                fields["follow_up_on"] = text_of(fields["follow_up_on"])
            lead_rows.append(dict(fields, company=row.company_id, owner=owner))
        lead_outcomes = add_leads(actor, lead_rows, force=force, batch=batch_id, settings=settings,
                                  on_duplicate="skip") if lead_rows else []
        for row, outcome in zip(live, lead_outcomes):
            if outcome.error is not None:
                row.reject(reason_naming_column(outcome.error.message, LEAD_WORDS))
                continue
            row.lead_id = outcome.record_id
            if row.lead_id is None:  # the same person as an earlier row, which was rejected
                earlier = live[outcome.candidates[0].row]
                row.reject(f"the same person as row {earlier.number}, rejected: {earlier.reason}")
            elif outcome.action != "skip":
                row.outcome = "created"
                lead_row_of[row.lead_id] = row.number
            elif outcome.candidates[0].id is None:
                row.outcome, row.duplicate_of_row = "skipped", live[outcome.candidates[0].row].number
            elif row.lead_id in lead_row_of:
                row.outcome, row.duplicate_of_row = "skipped", lead_row_of[row.lead_id]
            else:
                row.outcome = "skipped"
                stored_leads.setdefault(outcome.record_id, []).append(row)
        # A company this chunk created whose every row was then rejected is taken back: a refused row leaves
        # nothing behind (a later row of the same company adds it anew).
        kept = {row.company_id for row in chunk if row.outcome not in (None, "rejected")}
        orphans = {o.record_id for o in outcomes if o.record_id is not None and o.action != "skip"} - kept
        if orphans:
            take_back_companies(sorted(orphans), batch_id)
            company_of_key = {key: found for key, found in company_of_key.items() if found[0] not in orphans}
            created_companies -= orphans
        store_submissions(chunk, batch_id, campaign, source)
        done += len(live)
        if progress:
            progress("written", done, live_count)
    apply_duplicate_policy(actor, rows, on_duplicate, batch_id, stored_companies, stored_leads)


class LeadOwners:
    """Each new lead's owner: the agent named, the next active agent of the company's country, or the pool.

    Round-robin is the one of `assign --round-robin` (`crmctl.lifecycle.allocation`): each country's
    turn runs on from chunk to chunk in file order and from this import to the next command.
    """

    def __init__(self, assign_to, round_robin):
        self.assign_to, self.round_robin = assign_to, round_robin

    def of(self, rows):
        if not self.round_robin:
            return [self.assign_to] * len(rows)
        countries = {}
        ids = sorted({row.company_id for row in rows})
        for start in range(0, len(ids), WRITE_CHUNK):
            countries.update(Company.select(Company.id, Company.country)
                             .where(Company.id.in_(ids[start:start + WRITE_CHUNK])).tuples())
        # An owner of None: nobody works that country, and the lead waits in the pool.
        return [turn.agent_email for turn in round_robin_owners([countries.get(row.company_id) for row in rows])]


def apply_duplicate_policy(actor, rows, on_duplicate, batch_id, stored_companies, stored_leads):
    """--on-duplicate update|merge: stored records take the rows' values; History keeps each old value.

    The changes go through `update_records`: one UPDATE per change set and chunk, History rows in
    chunks, never a query per record. A stored lead named by several rows takes them in file order
    (each row decides against what the rows before it left), and every row that changed something
    is counted.
    """
    if on_duplicate == "skip":
        return
    counted = "updated" if on_duplicate == "update" else "merged"
    changed_companies = {}  # company id -> the fields that changed
    ids = sorted(stored_companies)
    for start in range(0, len(ids), WRITE_CHUNK):
        companies = list(Company.select().where(Company.id.in_(ids[start:start + WRITE_CHUNK])))
        changes = [duplicate_changes(on_duplicate, {f: getattr(company, f) for f in COMPANY_UPDATABLE},
                                     {f: stored_companies[company.id].get(f) for f in COMPANY_UPDATABLE})
                   for company in companies]
        changed_companies.update(update_records(companies, actor, changes, batch=batch_id))
    ids = sorted(stored_leads)
    changed_leads = {}
    for start in range(0, len(ids), WRITE_CHUNK):
        leads = list(Lead.select().where(Lead.id.in_(ids[start:start + WRITE_CHUNK])))
        changes = []
        for lead in leads:
            current = {f: getattr(lead, f) for f in LEAD_UPDATABLE}
            change = {}
            for row in stored_leads[lead.id]:
                really = {name: value for name, value in
                          duplicate_changes(on_duplicate, current, lead_update_values(row.cells)).items()
                          if history_text(value) != history_text(current.get(name))}
                if really:
                    row.outcome = counted
                    current.update(really)
                    change.update(really)
            changes.append(change)
        changed_leads.update(update_records(leads, actor, changes, batch=batch_id))
    # A company's size or industry, a lead's position: the scores move in the import's transaction.
    rescore_company_leads(actor, [c for c, fields in changed_companies.items() if COMPANY_FIELDS_SCORED & set(fields)],
                          batch=batch_id)
    rescore_leads(actor, [lead for lead, fields in changed_leads.items() if LEAD_FIELDS_SCORED & set(fields)],
                  batch=batch_id)
    for row in rows:
        if row.outcome == "skipped" and row.company_id in changed_companies and row.duplicate_of_row is None:
            row.outcome = counted
            changed_companies.pop(row.company_id)  # one row is counted for a company's change


def lead_update_values(cells):
    """The lead fields a row gives, in stored form (status canonical, dates as dates)."""
    from crmctl.records.leads import status_and_date

    fields = lead_fields(cells)
    values = {"position": fields.get("position"), "connections": fields.get("connections")}
    if fields.get("status") is not None:
        follow_up = fields.get("follow_up_on")
        values["status"], values["follow_up_on"] = status_and_date(
            fields["status"], text_of(follow_up) if follow_up is not None else None)
    return values


def store_submissions(rows, batch_id, campaign, source):
    """Every row that was not rejected is kept as a submission; a repeat of an earlier row is marked Duplicate."""
    now = Submission.received_at.db_value(utcnow())
    records = []
    for row in rows:
        if row.outcome == "rejected":
            continue
        data = {name: text_of(value) if not isinstance(value, list) else value for name, value in row.cells.items()}
        data["row"] = row.number
        if row.duplicate_of_row is not None:
            data["duplicate"] = f"Duplicate of row {row.duplicate_of_row}"
        records.append((row.lead_id, row.company_id, row.cells.get("Campaign") or campaign,
                        row.cells.get("Source") or source, batch_id, json.dumps(data, ensure_ascii=False, default=str),
                        now, now))
    insert_rows(Submission, ("lead", "company", "campaign", "source", "batch", "data", "received_at", "created_at"),
                records)
