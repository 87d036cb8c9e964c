"""Lead scoring (SPEC §5): 0–100 points from the lead's company, its position and its engagement events.

The model is the playbook's, in three groups with their caps: demographics (25:
company size, industry fit, title relevance), behaviour (50: website visits,
content downloads, email engagement) and engagement (25: demo requests, pricing
enquiries, contact forms). Each signal earns nothing, its low or its high
points of the `score_weights` setting ([low, high]):

- company size: high inside `ideal_employee_range`, low within a factor of two
  outside it (a company half the smallest ideal size, or twice the largest);
- industry fit: high when the industry is one of `ideal_industries`, low when
  only the subindustry is, or the industry holds an ideal one as a word
  ("Industrial Robotics" for "robotics");
- title relevance: high when the position holds one of `ideal_titles` as a
  word ("Head of Sales" for "head"), low when it also says the person assists
  or stands in (assistant, junior, deputy, intern, trainee);
- an event signal: low for the first event, rising evenly to high at
  FULL_AT events (three website visits, two of the others); an email click
  counts as two opens.

The functions are plain and work on many leads at once: `rescore_leads` reads
a chunk's leads, their companies and one GROUP BY of their events, and writes
the scores that changed through `update_records` (one UPDATE per distinct
score, History rows with action "score"). Callers run it inside the write
transaction of the change that moved the score (an event, a company's size or
industry, a lead's position or company), so a score is never stale after a
command, and `score` runs it over every lead after a configuration change.
"""
import re
from collections import defaultdict
from functools import lru_cache

from peewee import fn

from crmctl.records.batch import update_records
from crmctl.rules.settings import SCORE_GROUPS, load_settings
from crmctl.rules.vocabulary import loose_key
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Company, EngagementEvent, Lead

GROUPS = SCORE_GROUPS
GROUP_OF = {signal: (group, cap) for group, cap, signals in GROUPS for signal in signals}
SIGNALS = tuple(GROUP_OF)

# Event kinds (crmctl.rules.vocabulary.EVENT_KINDS) counted by each event signal, with their weight.
EVENTS_OF_SIGNAL = {
    "website_visit": {"website_visit": 1},
    "content_download": {"content_download": 1},
    "email_engagement": {"email_open": 1, "email_click": 2},
    "demo_request": {"demo_request": 1},
    "pricing_enquiry": {"pricing_enquiry": 1},
    "contact_form": {"contact_form": 1},
}
FULL_AT = {"website_visit": 3}  # events for the high points; 2 for the signals not named
JUNIOR_WORDS = {"assistant", "junior", "deputy", "intern", "trainee"}
SCORE_CHUNK = 1000

_WORDS = re.compile(r"[^\W_]+")


@lru_cache(maxsize=10_000)
def words(text):
    """The words of a text, lower case (a tuple, cached: an import scores thousands of leads whose positions,
    and the ideal titles they are matched against, repeat)."""
    return tuple(word.lower() for word in _WORDS.findall(text or ""))


def holds_words(text, phrase):
    """`phrase` ("head" or "vice president") appears in `text` as whole words, case ignored."""
    wanted, found = words(phrase), words(text)
    if not wanted:
        return False
    return any(found[start:start + len(wanted)] == wanted for start in range(len(found) - len(wanted) + 1))


class Component:
    """One signal's points and why (a plain class: `score --explain` prints it as a row)."""

    __slots__ = ("signal", "group", "points", "low", "high", "reason")

    def __init__(self, signal, points, low, high, reason):
        self.signal, self.points, self.low, self.high, self.reason = signal, points, low, high, reason
        self.group = GROUP_OF[signal][0]

    def as_dict(self):
        return {"group": self.group, "signal": self.signal, "points": self.points,
                "range": f"{self.low}-{self.high}", "reason": self.reason}


def size_component(employees, settings):
    low, high = settings["score_weights"]["company_size"]
    smallest, largest = settings["ideal_employee_range"]
    if employees is None:
        return Component("company_size", 0, low, high, "employee count unknown")
    if smallest <= employees <= largest:
        return Component("company_size", high, low, high, f"{employees} employees: within {smallest}-{largest}")
    if smallest / 2 <= employees <= largest * 2:
        return Component("company_size", low, low, high,
                         f"{employees} employees: near {smallest}-{largest} (within a factor of two)")
    return Component("company_size", 0, low, high, f"{employees} employees: outside {smallest}-{largest}")


def industry_component(industry, subindustry, settings):
    low, high = settings["score_weights"]["industry_fit"]
    ideal = settings["ideal_industries"]
    if not ideal:
        return Component("industry_fit", 0, low, high, "no ideal industries set (config set ideal_industries)")
    if industry and any(loose_key(industry) == loose_key(name) for name in ideal):
        return Component("industry_fit", high, low, high, f"industry {industry} is ideal")
    if subindustry and any(loose_key(subindustry) == loose_key(name) for name in ideal):
        return Component("industry_fit", low, low, high, f"subindustry {subindustry} is ideal")
    near = next((name for name in ideal if industry and holds_words(industry, name)), None)
    if near:
        return Component("industry_fit", low, low, high, f"industry {industry} is near {near}")
    return Component("industry_fit", 0, low, high,
                     f"industry {industry} is not ideal" if industry else "industry unknown")


def title_component(position, settings):
    low, high = settings["score_weights"]["title_relevance"]
    keyword = next((title for title in settings["ideal_titles"] if holds_words(position, title)), None)
    if keyword is None:
        return Component("title_relevance", 0, low, high,
                         f"position {position!r} holds no ideal title" if position else "position unknown")
    junior = sorted(JUNIOR_WORDS & set(words(position)))
    if junior:
        return Component("title_relevance", low, low, high, f"position {position!r}: {keyword}, but {junior[0]}")
    return Component("title_relevance", high, low, high, f"position {position!r}: {keyword}")


def event_component(signal, counts, settings):
    low, high = settings["score_weights"][signal]
    units = sum(counts.get(kind, 0) * weight for kind, weight in EVENTS_OF_SIGNAL[signal].items())
    full_at = FULL_AT.get(signal, 2)
    if units <= 0:
        points = 0
    elif units >= full_at:
        points = high
    else:
        points = low + (high - low) * (units - 1) // (full_at - 1)
    told = ", ".join(f"{counts[kind]} {kind.replace('_', ' ')}{'s' if counts[kind] > 1 else ''}"
                     for kind in EVENTS_OF_SIGNAL[signal] if counts.get(kind))
    return Component(signal, points, low, high, told or "no events")


def demographic_components(position, company, settings):
    """The Components of the signals a lead's position and company give (company size, industry, title)."""
    return [
        size_component(company.employee_count if company else None, settings),
        industry_component(company.industry if company else None, company.subindustry if company else None,
                           settings),
        title_component(position, settings),
    ]


def components(position, company, counts, settings):
    """Every signal's Component for one lead: its position, its company and {event kind: count}."""
    return (demographic_components(position, company, settings)
            + [event_component(signal, counts, settings) for signal in SIGNALS[3:]])


def group_totals(found):
    """{group: points within its cap}."""
    totals = defaultdict(int)
    for component in found:
        totals[component.group] += component.points
    return {group: min(totals[group], cap) for group, cap, _ in GROUPS}


def score_of(found):
    return min(100, sum(group_totals(found).values()))


def event_counts(lead_ids):
    """{lead id: {event kind: count}} for the given leads, in one GROUP BY."""
    counts = defaultdict(dict)
    query = (EngagementEvent.select(EngagementEvent.lead, EngagementEvent.kind, fn.COUNT(EngagementEvent.id))
             .where(EngagementEvent.lead.in_(lead_ids))
             .group_by(EngagementEvent.lead, EngagementEvent.kind).tuples())
    for lead_id, kind, count in query:
        counts[lead_id][kind] = count
    return counts


def companies_by_id(company_ids):
    fields = (Company.id, Company.employee_count, Company.industry, Company.subindustry)
    return {company.id: company for company in Company.select(*fields).where(Company.id.in_(company_ids))}


class Scorer:
    """Scores of many leads, the parts that repeat computed once: a company's size and industry points, a
    position's title points, a set of event counts' points (the same Components `score --explain` shows)."""

    def __init__(self, settings):
        self.settings = settings
        self.by_company, self.by_position, self.by_counts = {}, {}, {}

    def score(self, company, position, counts):
        company_points = self.by_company.get(company.id if company else None)
        if company_points is None:
            company_points = sum(part.points for part in components(None, company, {}, self.settings)[:2])
            self.by_company[company.id if company else None] = company_points
        title_points = self.by_position.get(position)
        if title_points is None:
            title_points = self.by_position[position] = title_component(position, self.settings).points
        key = tuple(sorted(counts.items()))
        event_points = self.by_counts.get(key)
        if event_points is None:
            totals = group_totals([event_component(signal, counts, self.settings) for signal in SIGNALS[3:]])
            event_points = self.by_counts[key] = totals["behaviour"] + totals["engagement"]
        return min(100, min(company_points + title_points, GROUPS[0][1]) + event_points)


SCORED_COLUMNS = (Lead.id, Lead.company, Lead.position, Lead.score)


def lead_rows(lead_ids):
    """(id, company id, position, score) of these leads, in id order."""
    return list(Lead.select(*SCORED_COLUMNS).where(Lead.id.in_(lead_ids)).order_by(Lead.id).tuples())


def rescore_leads(actor, lead_ids, settings=None, batch=None):
    """Recompute and store the scores of these leads; returns {lead id: new score} for those that changed.

    Run inside the caller's write transaction. Per chunk of SCORE_CHUNK leads:
    one read of the leads, one of their companies, one GROUP BY of their
    events, and the changed scores written by `update_records`.
    """
    scorer = Scorer(settings if settings is not None else load_settings())
    lead_ids = sorted(set(lead_ids))
    changed = {}
    for start in range(0, len(lead_ids), SCORE_CHUNK):
        changed.update(store_scores(actor, lead_rows(lead_ids[start:start + SCORE_CHUNK]), scorer, batch))
    return changed


def store_scores(actor, rows, scorer, batch=None):
    """Score (id, company id, position, score) rows; write the scores that moved. Returns {id: new score}."""
    if not rows:
        return {}
    companies = companies_by_id(sorted({company_id for _, company_id, _, _ in rows}))
    counts = event_counts([lead_id for lead_id, _, _, _ in rows])
    moved = {}
    for lead_id, company_id, position, old in rows:
        new = scorer.score(companies.get(company_id), position, counts.get(lead_id, {}))
        if new != old:
            moved[lead_id] = (old, new)
    if moved:
        # Instances holding only what update_records compares and writes: the id and the stored score.
        leads = [Lead(id=lead_id, score=old) for lead_id, (old, _new) in moved.items()]
        update_records(leads, actor, [{"score": new} for _old, new in moved.values()], action="score",
                       batch=batch)
    return {lead_id: new for lead_id, (_old, new) in moved.items()}


# What a score reads besides events: a company's size and industry, a lead's position and company.
COMPANY_FIELDS_SCORED = frozenset({"employee_count", "industry", "subindustry"})
LEAD_FIELDS_SCORED = frozenset({"position", "company"})


def rescore_company_leads(actor, company_ids, settings=None, batch=None):
    """After a company's size or industry changed: every one of its leads, in the same transaction."""
    lead_ids = [lead_id for (lead_id,) in Lead.select(Lead.id).where(Lead.company.in_(list(company_ids))).tuples()]
    return rescore_leads(actor, lead_ids, settings, batch)


def first_score(company, position, settings):
    """A new lead's score, stored with it by `add lead` and `import`: it has no events yet, so its demographics
    are all that count (each event signal gives 0 points without events)."""
    return score_of(demographic_components(position, company, settings))


def rescored_after_event(actor, event):
    """The hook of `add event`: the event's lead, in the event's transaction."""
    rescore_leads(actor, [event.lead_id])
    return event


def explain_score(lead):
    """What `score --explain LEAD` prints: each signal's points and reason, the group totals and the score."""
    settings = load_settings()
    company = companies_by_id([lead.company_id]).get(lead.company_id)
    found = components(lead.position, company, event_counts([lead.id]).get(lead.id, {}), settings)
    totals = group_totals(found)
    return {
        "components": [component.as_dict() for component in found],
        "groups": [{"group": group, "points": totals[group], "cap": cap} for group, cap, _ in GROUPS],
        "score": score_of(found),
        "stored": lead.score,
    }


def rescore_all(actor, progress=None, settings=None):
    """`score` with no lead: every lead, a chunk per transaction; returns {"leads": n, "changed": m}.

    `progress(count)` is told how many leads each chunk held (a progress bar on a terminal).
    """
    scorer = Scorer(settings if settings is not None else load_settings())
    seen = changed = 0
    last_id = 0
    while True:
        with write_transaction():
            rows = list(Lead.select(*SCORED_COLUMNS).where(Lead.id > last_id).order_by(Lead.id).limit(SCORE_CHUNK)
                        .tuples())
            if not rows:
                break
            changed += len(store_scores(actor, rows, scorer))
        seen += len(rows)
        last_id = rows[-1][0]
        if progress is not None:
            progress(len(rows))
    return {"leads": seen, "changed": changed}


def lead_count():
    return Lead.select().count()
