"""Writes crmctl/transfer/example_leads.xls, the workbook the README's first command imports.

Thirty rows of fictional companies and people in ten countries, laid out
as the import template. What the demo should show is in the data on purpose:
the same company on several rows (its website and LinkedIn written in
different forms, once without its legal suffix), the same person twice from
two campaigns (one lead, two submissions), dates as date cells. Every row
passes the rules, so the README's first command exits 0; the rejects
workbook is shown on a file of the reader's own (README, "Importing leads").
The first two companies are the README tour's C1 (Acme Robotics, whose first
lead, Anna Nowak, is L1) and C2 (Nordic Freight): the tour goes on from them.

    python bench/make_example_workbook.py [PATH]
"""
import datetime
import os
import sys

from crmctl.transfer.template import COLUMN_NAMES, LEADS_SHEET, write_plain_workbook

SHIPPED = os.path.join(os.path.dirname(__file__), "..", "crmctl", "transfer", "example_leads.xls")
D = datetime.date

# Company Name, Website, Company LinkedIn, Employees, Industry, Subindustry, Country, City
ACME = ("Acme Robotics Sp. z o.o.", "https://www.acme-robotics.pl", "https://pl.linkedin.com/company/acme-robotics",
        120, "Robotics", "Industrial robots", "PL", "Wrocław")
NORDIC_FREIGHT = ("Nordic Freight AB", "nordicfreight.se", "https://www.linkedin.com/company/nordic-freight",
                  800, "Logistics", "Road freight", "SE", "Göteborg")
WISLA = ("Wisła Logistics Sp. z o.o.", "https://www.wisla-logistics.pl/", "https://pl.linkedin.com/company/wisla-logistics",
         240, "Logistics", "Freight forwarding", "PL", "Gdańsk")
WISLA_AGAIN = ("Wisła Logistics Sp. z o.o.", "wisla-logistics.pl", "https://www.linkedin.com/company/wisla-logistics/",
               240, "Logistics", "Freight forwarding", "PL", "Gdańsk")
TATRA = ("Tatra Software S.A.", "tatrasoftware.pl", "https://www.linkedin.com/company/tatra-software",
         85, "Software", "ERP systems", "PL", "Kraków")
BRANDT = ("Brandt Maschinenbau GmbH", "https://brandt-maschinenbau.de", "https://de.linkedin.com/company/brandt-maschinenbau",
          430, "Machinery", "Packaging machines", "DE", "Stuttgart")
BRANDT_SHORT = ("Brandt Maschinenbau", "www.brandt-maschinenbau.de", "https://www.linkedin.com/company/brandt-maschinenbau",
                430, "Machinery", "Packaging machines", "DE", "Stuttgart")
ELBE = ("Elbe Medizintechnik GmbH", "elbe-medtech.de", "https://www.linkedin.com/company/elbe-medtech",
        150, "Medical devices", None, "DE", "Hamburg")
NORDVIK = ("Nordvik Energi AB", "nordvikenergi.se", "https://se.linkedin.com/company/nordvik-energi",
           60, "Energy", "Solar installation", "SE", "Malmö")
KUSTLINJE = ("Kustlinje Design AB", "https://kustlinje.se", "https://www.linkedin.com/company/kustlinje-design",
             25, "Design", "Product design", "SE", "Stockholm")
VLTAVA = ("Vltava Data s.r.o.", "vltavadata.cz", "https://cz.linkedin.com/company/vltava-data",
          110, "IT services", "Cloud hosting", "CZ", "Praha")
MORAVA = ("Morava Tools s.r.o.", "moravatools.cz", "https://www.linkedin.com/company/morava-tools",
          300, "Manufacturing", "Cutting tools", "CZ", "Brno")
VAN_DIJK = ("Van Dijk Installatietechniek B.V.", "vandijk-installatie.nl", "https://nl.linkedin.com/company/van-dijk-installatie",
            95, "Construction", "HVAC", "NL", "Utrecht")
LUMIERE = ("Atelier Lumière SAS", "atelier-lumiere.fr", "https://fr.linkedin.com/company/atelier-lumiere",
           40, "Architecture", "Lighting design", "FR", "Lyon")
MARITIMAS = ("Soluciones Marítimas S.L.", "solucionesmaritimas.es", "https://es.linkedin.com/company/soluciones-maritimas",
             180, "Shipping", "Port services", "ES", "Valencia")
BRIGHTWATER = ("Brightwater Analytics Ltd", "brightwater-analytics.co.uk", "https://uk.linkedin.com/company/brightwater-analytics",
               70, "Software", "Data analytics", "GB", "Manchester")
TEJO = ("Tejo Renováveis Lda", "tejorenovaveis.pt", "https://pt.linkedin.com/company/tejo-renovaveis",
        130, "Energy", "Wind power", "PT", "Lisboa")


def lead(company, name, position, slug, connections, email, phone, status="Sent Request", follow_up_on=None,
         campaign="Spring outreach", source="Sales Navigator"):
    profile = f"https://www.linkedin.com/in/{slug}" if slug else None
    return (*company, name, position, profile, connections, email, phone, status, follow_up_on, campaign, source)


ROWS = [
    lead(ACME, "Anna Nowak", "CTO", "anna-nowak-acme", 350, "anna@acme-robotics.pl", "601 234 567"),
    lead(NORDIC_FREIGHT, "Karin Sjöberg", "Head of Operations", "karin-sjoberg", 515, "karin.sjoberg@nordicfreight.se",
         "+46 31 123 45 67", status="Connected"),
    lead(WISLA, "Marta Kowalczyk", "Head of Sales", "marta-kowalczyk-wisla", 412,
         "marta.kowalczyk@wisla-logistics.pl", "+48 602 345 678"),
    lead(WISLA_AGAIN, "Tomasz Wójcik", "CEO", "tomasz-wojcik", 1290, "t.wojcik@wisla-logistics.pl", "+48 58 345 67 89",
         status="Connected"),
    lead(TATRA, "Paweł Zając", "CTO", "pawel-zajac-tatra", 780, "pawel.zajac@tatrasoftware.pl", "512 345 678",
         status="Interested"),
    lead(TATRA, "Katarzyna Mazur", "Product Director", "katarzyna-mazur", 355, "k.mazur@tatrasoftware.pl", None,
         status="Follow Up", follow_up_on=D(2026, 12, 15)),
    lead(BRANDT, "Jonas Becker", "Geschäftsführer", "jonas-becker-brandt", 940, "j.becker@brandt-maschinenbau.de",
         "+49 711 2345 678"),
    lead(BRANDT_SHORT, "Lena Hoffmann", "Head of Procurement", "lena-hoffmann", 318,
         "lena.hoffmann@brandt-maschinenbau.de", "0711 2345 690"),
    lead(BRANDT, "Felix Wagner", "Plant Manager", "felix-wagner-stuttgart", 205, "f.wagner@brandt-maschinenbau.de", None,
         status="Connected"),
    lead(ELBE, "Sophie Krüger", "Head of R&D", "sophie-krueger", 510, "sophie.krueger@elbe-medtech.de", "+49 40 3456 7890",
         status="Event", follow_up_on=D(2026, 12, 9)),
    lead(ELBE, "Maximilian Schulz", "CFO", "maximilian-schulz", 288, "m.schulz@elbe-medtech.de", None),
    lead(NORDVIK, "Erik Lindqvist", "VD", "erik-lindqvist-nordvik", 642, "erik.lindqvist@nordvikenergi.se",
         "+46 40 123 45 67", status="Interested"),
    lead(NORDVIK, "Sara Nyström", "Head of Marketing", "sara-nystrom", 377, "sara.nystrom@nordvikenergi.se", None),
    lead(KUSTLINJE, "Oskar Berg", "Creative Director", "oskar-berg-design", 1105, "oskar@kustlinje.se", "070 123 45 67",
         status="Not Interested"),
    lead(VLTAVA, "Jana Dvořáková", "Sales Director", "jana-dvorakova", 456, "jana.dvorakova@vltavadata.cz",
         "+420 602 123 456"),
    lead(VLTAVA, "Petr Svoboda", "CTO", "petr-svoboda-vltava", 820, "petr.svoboda@vltavadata.cz", None,
         status="Connected"),
    lead(MORAVA, "Lucie Novotná", "Purchasing Manager", "lucie-novotna", 199, "novotna@moravatools.cz", "+420 541 234 567"),
    lead(MORAVA, "Martin Procházka", "Managing Director", "martin-prochazka-morava", 633, "prochazka@moravatools.cz", None,
         status="Ignoring"),
    lead(VAN_DIJK, "Daan de Vries", "Directeur", "daan-de-vries", 702, "daan.devries@vandijk-installatie.nl",
         "+31 30 234 5678"),
    lead(VAN_DIJK, "Femke Jansen", "Office Manager", "femke-jansen-utrecht", 164, "f.jansen@vandijk-installatie.nl", None),
    lead(LUMIERE, "Camille Martin", "Associée", "camille-martin-lumiere", 389, "camille@atelier-lumiere.fr",
         "+33 4 72 12 34 56", status="Interested"),
    lead(LUMIERE, "Hugo Bernard", "Chef de projet", "hugo-bernard", 245, "hugo.bernard@atelier-lumiere.fr", None),
    lead(MARITIMAS, "Lucía Fernández", "Directora Comercial", "lucia-fernandez-maritimas", 530,
         "lucia.fernandez@solucionesmaritimas.es", "+34 961 234 567"),
    lead(MARITIMAS, "Javier Ruiz", "Operations Director", "javier-ruiz-valencia", 267, "j.ruiz@solucionesmaritimas.es", None,
         status="Call"),
    lead(BRIGHTWATER, "Oliver Hughes", "Founder", "oliver-hughes-brightwater", 1830, "oliver@brightwater-analytics.co.uk",
         "+44 161 496 0123", status="Connected"),
    lead(BRIGHTWATER, "Amelia Clarke", "Head of Data", "amelia-clarke", 644, "amelia.clarke@brightwater-analytics.co.uk",
         None),
    lead(TEJO, "Inês Carvalho", "Diretora Geral", "ines-carvalho-tejo", 471, "ines.carvalho@tejorenovaveis.pt",
         "+351 21 123 4567"),
    # The same people again from a later campaign: one lead each, a second submission marked Duplicate.
    lead(WISLA_AGAIN, "Marta Kowalczyk", "Head of Sales", "marta-kowalczyk-wisla", 415,
         "marta.kowalczyk@wisla-logistics.pl", "+48 602 345 678", status="Interested",
         campaign="Logistics webinar", source="Webinar form"),
    lead(BRANDT_SHORT, "Jonas Becker", "Geschäftsführer", "jonas-becker-brandt", 940, "j.becker@brandt-maschinenbau.de",
         None, campaign="Trade fair Hannover", source="Badge scan"),
    lead(KUSTLINJE, "Maja Holm", "Design Lead", "maja-holm", 296, "maja.holm@kustlinje.se", None),
]


def main(path=SHIPPED):
    write_plain_workbook(path, [(LEADS_SHEET, COLUMN_NAMES, ROWS)])
    print(f"{os.path.normpath(path)}: {len(ROWS)} rows")


if __name__ == "__main__":
    main(*sys.argv[1:])
