"""A small CRM whose report figures were worked out by hand (tests/test_reports.py, tests/test_weekly_page.py).

Agents are added with `crmctl agent add`; the records go through the core's batched write path
(`create_records`, with their 'create' history) at fixed times in ISO weeks 2026-W47 and W48, so
every figure is known in advance. Status changes are History rows (field 'status') and deal moves
`deal_stage_change` rows, as `status` and `deal move` write them.
"""
import datetime

BOSS, ANNA, BEN, MIA = "boss@example.com", "anna@example.com", "ben@example.com", "mia@example.com"


def at(text):
    return datetime.datetime.fromisoformat(text)


def build_report_fixture(crm):
    for email, name, role, country in ((BOSS, "Boss", "admin", "PL"), (ANNA, "Anna", "agent", "PL"),
                                       (BEN, "Ben", "agent", "DE"), (MIA, "Mia", "manager", "PL")):
        result = crm("agent", "add", email, "--name", name, "--role", role, "--country", country,
                     "--format", "json", acting=BOSS if email != BOSS else None)
        assert result.exit_code == 0, result.output

    from crmctl.records.batch import create_records, history_row, write_history
    from crmctl.rules.permissions import Actor
    from crmctl.storage.connection import connect_database
    from crmctl.storage.models import Agent, Communication, Company, Deal, DealStageChange, Lead, Submission

    database = connect_database(crm.url)
    try:
        with database.atomic():
            Agent.update(created_at=at("2026-11-01 08:00")).execute()
            agents = {agent.email: agent for agent in Agent.select()}
            anna, ben = agents[ANNA], agents[BEN]
            actor = Actor(agent=agents[BOSS])

            def company(number, owner, country, created, relationship="prospect", reviewed=None, archived=None):
                return {"name": f"Company {number}", "name_key": f"company {number}",
                        "website": f"https://c{number}.example", "website_key": f"c{number}.example",
                        "country": country, "relationship": relationship, "owner": owner.id,
                        "created_by": owner.id, "created_at": at(created), "last_reviewed_at":
                        reviewed and at(reviewed), "archived_at": archived and at(archived)}

            create_records(Company, actor, [
                company(1, anna, "PL", "2026-11-23 10:00"),
                company(2, anna, "PL", "2026-11-23 11:00"),
                company(3, anna, "PL", "2026-11-24 09:00", "client"),
                company(4, ben, "DE", "2026-11-24 09:00"),
                company(5, ben, "DE", "2026-08-01 09:00"),
                company(6, anna, "PL", "2026-07-01 09:00", reviewed="2026-08-20 09:00"),
                company(7, anna, "PL", "2026-06-01 09:00", "client"),
                company(8, ben, "DE", "2026-06-01 09:00"),
                company(9, anna, "PL", "2026-06-01 09:00", archived="2026-10-01 09:00"),
                company(10, anna, "PL", "2026-06-01 09:00", reviewed="2026-10-01 09:00"),
                company(11, anna, "PL", "2026-05-01 09:00"),
            ])

            def lead(number, company_id, owner, created, status, score, converted=None):
                return {"company": company_id, "full_name": f"Lead {number}", "position": "CEO", "status": status,
                        "score": score, "owner": owner.id, "created_by": owner.id, "created_at": at(created),
                        "converted_at": converted and at(converted)}

            create_records(Lead, actor, [
                lead(1, 1, anna, "2026-11-23 12:00", "Interested", 80),
                lead(2, 1, anna, "2026-11-23 13:00", "Sent Request", 40),
                lead(3, 2, anna, "2026-11-24 09:00", "Connected", 60),
                lead(4, 3, anna, "2026-11-24 10:00", "Call", 90, converted="2026-11-26 10:00"),
                lead(5, 4, ben, "2026-11-24 10:00", "Sent Request", 20),
                lead(6, 8, ben, "2026-06-01 10:00", "Call", 10),
                lead(7, 4, ben, "2026-11-25 09:00", "Not Interested", 70),
            ])
            create_records(Submission, actor, [
                {"lead": lead_id, "company": company_id, "campaign": "web form", "received_at": at(created),
                 "created_at": at(created)}
                for lead_id, company_id, created in ((1, 1, "2026-11-23 12:00"), (2, 1, "2026-11-23 13:00"),
                                                     (3, 2, "2026-11-24 09:00"), (4, 3, "2026-11-24 10:00"),
                                                     (7, 4, "2026-11-25 09:00"), (7, 4, "2026-11-25 09:00"))])

            def comm(lead_id, agent, when, direction="outbound"):
                return {"lead": lead_id, "agent": agent.id, "occurred_at": at(when), "type": "Follow-up",
                        "channel": "Email", "direction": direction, "created_at": at(when)}

            create_records(Communication, actor, [
                comm(1, anna, "2026-11-23 12:30"),
                comm(2, anna, "2026-11-23 16:00"),
                comm(4, anna, "2026-11-24 13:00"),
                comm(5, ben, "2026-11-25 10:00"),
                comm(7, ben, "2026-11-25 09:10", "inbound"),
                comm(7, ben, "2026-11-25 09:30"),
                comm(1, anna, "2026-11-18 09:00"),  # week 47: before the lead existed, never its first response
            ])

            def deal(name, company_id, lead_id, owner, pipeline, stage, status, amount, currency, created, closed=None):
                return {"name": name, "company": company_id, "lead": lead_id, "owner": owner.id,
                        "created_by": owner.id, "pipeline": pipeline, "stage": stage, "status": status,
                        "amount": amount, "currency": currency, "created_at": at(created),
                        "closed_at": closed and at(closed)}

            create_records(Deal, actor, [
                deal("D1", 1, 1, anna, "sales", "Proposal", "open", 1000, "EUR", "2026-11-23 14:00"),
                deal("D2", 3, 4, anna, "sales", "Closed Won", "won", 5000, "EUR", "2026-11-24 12:00",
                     "2026-11-27 12:00"),
                deal("D3", 4, 5, ben, "sales", "Closed Lost", "lost", 2000, "PLN", "2026-11-25 10:00",
                     "2026-11-26 10:00"),
                deal("D4", 2, None, anna, "services", "New Leads", "open", None, None, "2026-11-25 12:00"),
                deal("D5", 1, None, anna, "sales", "Closed Lost", "lost", 300, "EUR", "2026-11-24 12:00",
                     "2026-11-28 12:00"),
            ])
            DealStageChange.insert_many([
                {"deal": deal_id, "from_stage": from_stage, "to_stage": to_stage, "at": at(when)}
                for deal_id, from_stage, to_stage, when in (
                    (1, None, "Prospecting", "2026-11-23 14:00"), (1, "Prospecting", "Proposal", "2026-11-25 14:00"),
                    (2, None, "Prospecting", "2026-11-24 12:00"), (2, "Prospecting", "Closed Won", "2026-11-27 12:00"),
                    (3, None, "Prospecting", "2026-11-25 10:00"), (3, "Prospecting", "Closed Lost", "2026-11-26 10:00"),
                    (4, None, "New Leads", "2026-11-25 12:00"))
            ]).execute()
            write_history([
                history_row(Actor(agent=anna), "L1", "update", "status", "Sent Request", "Interested",
                            at=at("2026-11-25 09:00")),
                history_row(Actor(agent=anna), "L3", "update", "status", "Sent Request", "Connected",
                            at=at("2026-11-25 10:00")),
                history_row(Actor(agent=ben), "L7", "update", "status", "Sent Request", "Not Interested",
                            at=at("2026-11-26 11:00")),
                history_row(Actor(agent=anna), "L1", "update", "position", "CTO", "CEO", at=at("2026-11-25 09:00")),
            ])
    finally:
        database.close()
