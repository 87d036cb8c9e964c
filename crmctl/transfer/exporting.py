"""`export FILE`: leads (with their company's columns) or companies in the template's layout, streamed.

The rows are the listing's (`crmctl.query.listing.build_query`, every --where
and --search), read in chunks by id, so a million leads need no more memory
than a thousand; an export imports again unchanged (the template's columns,
cells made inert by the writers and read back by import).
"""
from crmctl.query.listing import build_query, listing_for
from crmctl.rules.permissions import require
from crmctl.storage.models import Company, Contact, Submission
from crmctl.transfer.template import COLUMNS, COMPANY
from crmctl.transfer.writing import write_rows

CHUNK = 1000
COMPANY_COLUMNS = [c for c in COLUMNS if c.entity == COMPANY]


def export_file(actor, path, where=(), search=None, companies=False, progress=None):
    """Write the matching leads (or companies) to `path`; returns the number of rows written.

    `progress("exported", rows so far, None)`, if given, is called after each CHUNK rows.
    """
    require(actor, "export")
    kind = "companies" if companies else "leads"
    listing = listing_for(kind)
    query = build_query(listing, where, search)  # checked here: a bad filter is refused before any file is made
    columns = COMPANY_COLUMNS if companies else list(COLUMNS)
    rows = company_rows(query, listing.model) if companies else lead_rows(query, listing.model)
    if progress is not None:
        rows = reported(rows, progress)
    return write_rows(path, [c.name for c in columns], rows)


def reported(rows, progress):
    """The rows unchanged, telling `progress` how many have gone by after every CHUNK of them."""
    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if count % CHUNK == 0:
            progress("exported", count, None)
    progress("exported", count, None)


def chunks_of(query, model):
    """The query's records in id order, CHUNK at a time (keyset: each chunk starts after the last id)."""
    last = 0
    while True:
        chunk = list(query.where(model.id > last).order_by(model.id).limit(CHUNK))
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id


def company_cells(company):
    return [getattr(company, c.field) for c in COMPANY_COLUMNS]


def company_rows(query, model):
    for chunk in chunks_of(query, model):
        for company in chunk:
            yield company_cells(company)


def lead_rows(query, model):
    for chunk in chunks_of(query, model):
        company_ids = sorted({lead.company_id for lead in chunk})
        lead_ids = [lead.id for lead in chunk]
        companies = {c.id: c for c in Company.select().where(Company.id.in_(company_ids))}
        contacts = {}
        for contact in Contact.select().where(Contact.lead.in_(lead_ids)).order_by(Contact.id):
            contacts.setdefault((contact.lead_id, contact.source), []).append(contact.value)
        origin = {}
        for submission in (Submission.select(Submission.lead, Submission.campaign, Submission.source)
                           .where(Submission.lead.in_(lead_ids)).order_by(Submission.id)):
            origin.setdefault(submission.lead_id, (submission.campaign, submission.source))
        for lead in chunk:
            company = companies[lead.company_id]
            campaign, source = origin.get(lead.id, (None, None))
            yield company_cells(company) + [
                lead.full_name, lead.position, lead.linkedin_url, lead.connections,
                contacts.get((lead.id, "email"), []) or None, contacts.get((lead.id, "phone"), []) or None,
                lead.status, lead.follow_up_on, campaign, source,
            ]
