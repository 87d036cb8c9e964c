"""The weekly page as one self-contained HTML file: inline CSS and SVG charts, no script, no network.

Every figure is shown beside last week's. The layout is one column that reads on a phone; wide
tables scroll sideways inside their section; printed, sections are not split across pages and the
colours keep their meaning in grey (this week solid, last week hatched-light).
"""
import html

from crmctl.reports.funnel import DEAL_TO_CUSTOMER, LEAD_TO_CUSTOMER, LEAD_TO_DEAL, LEADS

THIS_WEEK_COLOUR = "#2563eb"
LAST_WEEK_COLOUR = "#cbd5e1"
BAR_HEIGHT = 12
ROW_HEIGHT = 34
LABEL_WIDTH = 190
CHART_WIDTH = 640

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0f172a;
       background: #f8fafc; }
main { max-width: 960px; margin: 0 auto; padding: 16px; }
header h1 { font-size: 1.5rem; margin: 0 0 4px; }
header p { margin: 0; color: #475569; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 16px; margin: 16px 0;
          break-inside: avoid; page-break-inside: avoid; }
h2 { font-size: 1.1rem; margin: 0 0 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-top: 16px; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 12px; }
.card .name { color: #475569; font-size: .85rem; }
.card .value { font-size: 1.6rem; font-weight: 600; }
.card .last { color: #64748b; font-size: .85rem; }
.up { color: #15803d; } .down { color: #b91c1c; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid #e2e8f0; white-space: nowrap; }
th:first-child, td:first-child, th.text, td.text { text-align: left; }
th { font-weight: 600; color: #334155; }
td .last { color: #64748b; }
.legend { font-size: .85rem; color: #475569; margin: 4px 0 8px; }
.swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; margin: 0 4px 0 10px;
          border-radius: 2px; }
.empty { color: #64748b; font-style: italic; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 12px system-ui, sans-serif; fill: #0f172a; }
@media (max-width: 600px) { main { padding: 8px; } .card .value { font-size: 1.3rem; } }
@media print { body { background: #fff; } section, .card { border-color: #94a3b8; } main { max-width: none; } }
"""


def escaped(value):
    return html.escape("" if value is None else str(value))


def shown_number(value, suffix=""):
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
    else:
        text = f"{value:,}"
    return text + suffix


def beside(this, last, suffix=""):
    """A cell: this week's figure, last week's after it in grey."""
    return f'{escaped(shown_number(this, suffix))} <span class="last">({escaped(shown_number(last, suffix))})</span>'


def change_class(this, last, higher_is_better=True):
    if this is None or last is None or this == last:
        return ""
    return "up" if (this > last) == higher_is_better else "down"


def card(name, this, last, suffix="", higher_is_better=True):
    arrow = "" if this is None or last is None or this == last else ("▲" if this > last else "▼")
    return (f'<div class="card"><div class="name">{escaped(name)}</div>'
            f'<div class="value {change_class(this, last, higher_is_better)}">{escaped(shown_number(this, suffix))} '
            f'<small>{arrow}</small></div>'
            f'<div class="last">last week {escaped(shown_number(last, suffix))}</div></div>')


def bar_chart(title, items, suffix="", marker=None):
    """Paired horizontal bars (this week, last week) per label, as inline SVG; `marker` draws a target line."""
    if not items:
        return ""
    largest = max([value or 0 for _, this, last in items for value in (this, last)] + [marker or 0, 1])
    scale = (CHART_WIDTH - LABEL_WIDTH - 70) / largest
    height = ROW_HEIGHT * len(items) + 8
    parts = [f'<svg viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="{escaped(title)}">',
             f"<title>{escaped(title)}</title>"]
    for index, (label, this, last) in enumerate(items):
        top = index * ROW_HEIGHT + 4
        parts.append(f'<text x="0" y="{top + BAR_HEIGHT + 4}">{escaped(shorten(label))}</text>')
        for offset, value, colour in ((0, this, THIS_WEEK_COLOUR), (BAR_HEIGHT + 2, last, LAST_WEEK_COLOUR)):
            width = max((value or 0) * scale, 1 if value else 0)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{top + offset}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                         f'fill="{colour}" rx="2"/>')
            parts.append(f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{top + offset + BAR_HEIGHT - 2}">'
                         f'{escaped(shown_number(value, suffix))}</text>')
    if marker:
        x = LABEL_WIDTH + marker * scale
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="#b91c1c" '
                     f'stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return "".join(parts)


def shorten(label, length=26):
    text = "(no agent)" if label is None else str(label)
    return text if len(text) <= length else text[:length - 1] + "…"


def legend(this_label, last_label):
    return (f'<div class="legend"><span class="swatch" style="background:{THIS_WEEK_COLOUR}"></span>'
            f'{escaped(this_label)}'
            f'<span class="swatch" style="background:{LAST_WEEK_COLOUR}"></span>{escaped(last_label)} '
            f'(last week in brackets in the tables)</div>')


def table(headers, rows):
    head = "".join(f'<th class="{"text" if index == 0 else ""}">{escaped(name)}</th>'
                   for index, name in enumerate(headers))
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def section(title, body, anchor):
    return f'<section id="{anchor}"><h2>{escaped(title)}</h2>{body}</section>'


def nothing(text):
    return f'<p class="empty">{escaped(text)}</p>'


def pipeline_section(this, last, labels):
    def totals(rows):
        found = {}
        for row in rows:
            entry = found.setdefault((row["pipeline"], row["stage"]), {"deals": 0, "amounts": {}})
            entry["deals"] += row["deals"]
            if row["amount"] is not None:
                currency = row["currency"] or ""
                entry["amounts"][currency] = entry["amounts"].get(currency, 0) + row["amount"]
        return found

    now, before = totals(this.pipeline), totals(last.pipeline)
    keys = list(now) + [key for key in before if key not in now]
    if not keys:
        return section("Pipeline: new deals by stage", nothing("No deals this week or last."), "pipeline")

    def amounts(entry):
        if not entry or not entry["amounts"]:
            return "–"
        return "; ".join(f"{currency} {amount:,.2f}".strip() for currency, amount in sorted(entry["amounts"].items()))

    rows = [[escaped(f"{pipeline} · {stage}"), beside(now.get(key, {}).get("deals", 0),
                                                      before.get(key, {}).get("deals", 0)),
             escaped(amounts(now.get(key))), f'<span class="last">{escaped(amounts(before.get(key)))}</span>']
            for key in keys for pipeline, stage in [key]]
    chart = bar_chart("Deals by stage", [(f"{stage}", now.get(key, {}).get("deals", 0),
                                          before.get(key, {}).get("deals", 0)) for key in keys for _, stage in [key]])
    return section("Pipeline: new deals by stage", legend(*labels) + chart +
                   table(["Pipeline · stage", "Deals", "Amount", "Last week's amount"], rows), "pipeline")


def funnel_section(this, last, labels):
    now = {row["status"]: row for row in this.funnel}
    before = {row["status"]: row for row in last.funnel}
    conversions = (LEADS, LEAD_TO_DEAL, DEAL_TO_CUSTOMER, LEAD_TO_CUSTOMER)
    statuses = [row["status"] for row in (this.funnel or last.funnel) if row["status"] not in conversions]
    if not now and not before:
        return section("Funnel: new leads by status", nothing("No new leads this week or last."), "funnel")
    chart = bar_chart("Leads by status", [(status, now.get(status, {}).get("count", 0),
                                           before.get(status, {}).get("count", 0)) for status in statuses])
    rows = [[escaped(name), beside(now.get(name, {}).get("count", 0), before.get(name, {}).get("count", 0)),
             beside(now.get(name, {}).get("rate"), before.get(name, {}).get("rate"), " %")] for name in conversions]
    return section("Funnel: new leads by status", legend(*labels) + chart +
                   table(["Conversion", "Leads", "Rate"], rows), "funnel")


def activity_section(this, last, labels):
    agents = sorted(set(this.activity) | set(last.activity), key=lambda agent: agent or "")
    if not agents:
        return section("Activity per agent", nothing("No activity this week or last."), "activity")
    columns = ("companies", "leads", "communications", "status_changes")
    empty = dict.fromkeys(columns, 0)
    rows = [[escaped(agent or "(no agent)")] + [beside(this.activity.get(agent, empty)[column],
                                                       last.activity.get(agent, empty)[column]) for column in columns]
            for agent in agents]
    chart = bar_chart("Communications per agent", [(agent, this.activity.get(agent, empty)["communications"],
                                                    last.activity.get(agent, empty)["communications"])
                                                   for agent in agents])
    return section("Activity per agent", legend(*labels) + table(
        ["Agent", "Companies", "Leads", "Communications", "Status changes"], rows) +
        "<p class=\"legend\">Communications</p>" + chart, "activity")


def quota_section(this, last, labels):
    agents = sorted(set(this.quota) | set(last.quota), key=lambda agent: agent or "")
    if not agents:
        return section("Quota attainment", nothing("No agent with a daily target this week or last."), "quota")
    empty = {"companies": 0, "target": 0, "attainment": None}
    rows = [[escaped(agent or "(no agent)"),
             beside(this.quota.get(agent, empty)["companies"], last.quota.get(agent, empty)["companies"]),
             beside(this.quota.get(agent, empty)["target"], last.quota.get(agent, empty)["target"]),
             beside(this.quota.get(agent, empty)["attainment"], last.quota.get(agent, empty)["attainment"], " %")]
            for agent in agents]
    chart = bar_chart("Attainment per agent (%)", [(agent, this.quota.get(agent, empty)["attainment"],
                                                    last.quota.get(agent, empty)["attainment"]) for agent in agents],
                      suffix=" %", marker=100)
    return section("Quota attainment (companies against the daily target, weekdays)",
                   legend(*labels) + chart + table(["Agent", "Companies", "Target", "Attainment"], rows), "quota")


def response_section(this, last, labels):
    if this.response is None and last.response is None:
        return section("Response time of inbound leads", nothing("No inbound leads this week or last."), "response")
    empty = {}
    now, before = this.response or empty, last.response or empty
    measures = (("Inbound leads", "inbound_leads", ""), ("Answered", "answered", ""),
                ("Median hours to first response", "median_hours", " h"),
                ("90th percentile", "p90_hours", " h"), ("Breaches", "breaches", ""),
                ("Breach rate", "breach_rate", " %"))
    rows = [[escaped(name), beside(now.get(key), before.get(key), suffix)] for name, key, suffix in measures]
    per_agent = {row["agent"]: row for row in this.response_per_agent}
    per_agent_last = {row["agent"]: row for row in last.response_per_agent}
    agents = sorted(set(per_agent) | set(per_agent_last), key=lambda agent: agent or "")
    chart = bar_chart("Breaches per agent", [(agent or "(pool)", per_agent.get(agent, {}).get("breaches", 0),
                                             per_agent_last.get(agent, {}).get("breaches", 0)) for agent in agents])
    return section("Response time of inbound leads (1 h new lead, 4 h customer; plain hours)",
                   legend(*labels) + table(["Measure", "This week"], rows) +
                   ("<p class=\"legend\">Breaches per agent</p>" + chart if agents else ""), "response")


def review_section(this, last, labels):
    now = {row["country"]: row["due"] for row in this.review}
    before = {row["country"]: row["due"] for row in last.review}
    countries = sorted(set(now) | set(before), key=lambda country: (-now.get(country, 0), country or ""))
    if not countries:
        return section("Review backlog", nothing("No company due for review at the end of either week."), "review")
    chart = bar_chart("Companies due for review by country", [(country or "(no country)", now.get(country, 0),
                                                               before.get(country, 0)) for country in countries])
    rows = [[escaped(country or "(no country)"), beside(now.get(country, 0), before.get(country, 0))]
            for country in countries]
    return section("Review backlog (companies due at the end of the week)",
                   legend(*labels) + chart + table(["Country", "Due"], rows), "review")


def headline_cards(this, last):
    def funnel_figure(week, status, key):
        return next((row[key] for row in week.funnel if row["status"] == status), 0 if key == "count" else None)

    def activity_total(week, column):
        return sum(totals[column] for totals in week.activity.values())

    def attainment(week):
        companies = sum(totals["companies"] for totals in week.quota.values())
        target = sum(totals["target"] for totals in week.quota.values())
        return round(100.0 * companies / target, 1) if target else None

    def response(week, key):
        return (week.response or {}).get(key)

    return '<div class="cards">' + "".join((
        card("New leads", funnel_figure(this, LEADS, "count"), funnel_figure(last, LEADS, "count")),
        card("Lead → deal", funnel_figure(this, LEAD_TO_DEAL, "rate"), funnel_figure(last, LEAD_TO_DEAL, "rate"), " %"),
        card("Companies added", activity_total(this, "companies"), activity_total(last, "companies")),
        card("Communications", activity_total(this, "communications"), activity_total(last, "communications")),
        card("Quota attainment", attainment(this), attainment(last), " %"),
        card("Response breaches", response(this, "breaches") or 0, response(last, "breaches") or 0,
             higher_is_better=False),
        card("Review backlog", sum(row["due"] for row in this.review), sum(row["due"] for row in last.review),
             higher_is_better=False),
    )) + "</div>"


def weekly_page_html(figures):
    this, last = figures.this_week, figures.last_week
    labels = (f"{this.label} (this week)", f"{last.label} (last week)")
    about = [f"{this.monday.isoformat()} to {this.sunday.isoformat()} (UTC), beside {last.label}"]
    if figures.agent_email:
        about.append(f"agent {figures.agent_email}")
    if figures.country:
        about.append(f"country {figures.country}")
    body = "".join((
        f"<header><h1>Weekly report {escaped(this.label)}</h1><p>{escaped(' · '.join(about))}</p></header>",
        headline_cards(this, last),
        pipeline_section(this, last, labels),
        funnel_section(this, last, labels),
        activity_section(this, last, labels),
        quota_section(this, last, labels),
        response_section(this, last, labels),
        review_section(this, last, labels),
    ))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Weekly report {escaped(this.label)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def write_weekly_page(path, figures):
    """Write the page to `path` whole, as every file crmctl writes (`crmctl.files.replace_when_written`):
    a symlink is followed, a device, fifo or folder refused, and a failure leaves no half-written page."""
    from crmctl.files import replace_when_written

    def write(temporary):
        with open(temporary, "w", encoding="utf-8") as page:
            page.write(weekly_page_html(figures))

    replace_when_written(path, ".html", write)
