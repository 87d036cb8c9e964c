"""`export FILE`: leads (with their company's columns) or companies in the template's layout, streamed.

The rows are the listing's (`crmctl.query.listing.build_query`, every --where
and --search), read in chunks by id, so a million leads need no more memory
than a thousand; an export imports again unchanged (the template's columns,
cells made inert by the writers and read back by import).
"""
from crmctl.query.listing import build_query, listing_for
from crmctl.rules.permissions import require
from crmctl.storage.connection import unmapped_for_bulk_work
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
    unmapped_for_bulk_work()
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


def chunks_of(query, model, columns):
    """The query's rows as tuples of `columns`, in id order, CHUNK at a time (keyset: after the last id).

    The first column is the id. Tuples, not model instances: building a model object per row costs
    more than reading it.
    """
    last = 0
    query = query.select(model.id, *columns)
    while True:
        chunk = list(query.where(model.id > last).order_by(model.id).limit(CHUNK).tuples())
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


COMPANY_FIELDS = [getattr(Company, c.field) for c in COMPANY_COLUMNS]


def company_rows(query, model):
    for chunk in chunks_of(query, model, COMPANY_FIELDS):
        for company in chunk:
            yield list(company[1:])


def lead_rows(query, model):
    lead_fields = [model.company, model.full_name, model.position, model.linkedin_url, model.connections,
                   model.status, model.follow_up_on]
    for chunk in chunks_of(query, model, lead_fields):
        company_ids = sorted({lead[1] for lead in chunk})
        lead_ids = [lead[0] for lead in chunk]
        companies = {company[0]: list(company[1:]) for company in
                     Company.select(Company.id, *COMPANY_FIELDS).where(Company.id.in_(company_ids)).tuples()}
        contacts = {}
        for lead_id, source, value in (Contact.select(Contact.lead, Contact.source, Contact.value)
                                       .where(Contact.lead.in_(lead_ids)).order_by(Contact.id).tuples()):
            contacts.setdefault((lead_id, source), []).append(value)
        origin = {}
        for lead_id, campaign, source in (Submission.select(Submission.lead, Submission.campaign, Submission.source)
                                          .where(Submission.lead.in_(lead_ids)).order_by(Submission.id).tuples()):
            origin.setdefault(lead_id, (campaign, source))
        for lead_id, company_id, full_name, position, linkedin_url, connections, status, follow_up_on in chunk:
            campaign, source = origin.get(lead_id, (None, None))
            yield companies[company_id] + [
                full_name, position, linkedin_url, connections,
                contacts.get((lead_id, "email")), contacts.get((lead_id, "phone")),
                status, follow_up_on, campaign, source,
            ]
