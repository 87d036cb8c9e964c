"""The import template's columns (SPEC §6.1), in order, as the one table that import, export and the example workbook read.

Each column says which record field it fills, how its cells are cleaned
(`kind`, a name in `crmctl.transfer.cells.CLEANERS`), whether the rules need it,
and the other headers people give it in English and in the playbooks' languages
(Polish, German, Swedish, Czech, French, Spanish, Dutch). A synonym in
`GENERIC_SYNONYMS` may mean either of two columns ("Name", "LinkedIn URL"):
`crmctl.transfer.headers` decides which from the file's other headers.
"""
from collections import namedtuple

from crmctl.rules.vocabulary import LEAD_STATUSES, STATUSES_NEEDING_DATE

TemplateColumn = namedtuple("TemplateColumn", "name entity field kind required synonyms")

COMPANY, LEAD, SUBMISSION = "company", "lead", "submission"
LEADS_SHEET = "Leads"
COLUMNS_SHEET = "Columns"
COUNTRIES_SHEET = "Countries"

# Required by the rules whatever the settings say: a company's country (add company --country),
# a lead's name and position (add lead --name --position).
ALWAYS_REQUIRED_FIELDS = {(COMPANY, "country"), (LEAD, "full_name"), (LEAD, "position")}
# The default of the `required_company_fields` setting; `required_columns(settings)` reads the real one.
DEFAULT_REQUIRED_COMPANY_FIELDS = ("name", "website", "linkedin_url", "employee_count", "industry")


def _column(name, entity, field, kind, synonyms):
    required = (entity, field) in ALWAYS_REQUIRED_FIELDS or (
        entity == COMPANY and field in DEFAULT_REQUIRED_COMPANY_FIELDS
    )
    return TemplateColumn(name, entity, field, kind, required, tuple(synonyms))


COLUMNS = (
    _column("Company Name", COMPANY, "name", "text", [
        "Company", "Organization", "Organisation", "Account", "Account Name", "Employer",
        "Firma", "Nazwa firmy", "Nazwa", "Przedsiębiorstwo", "Unternehmen", "Firmenname", "Företag",
        "Företagsnamn", "Název firmy", "Společnost", "Entreprise", "Société", "Empresa", "Bedrijf",
        "Bedrijfsnaam",
    ]),
    _column("Website", COMPANY, "website", "text", [
        "Website URL", "Company Website", "Web", "Web site", "WWW", "Homepage", "Domain", "Company Domain",
        "Strona", "Strona www", "Strona internetowa", "Webseite", "Internetseite", "Webbplats",
        "Hemsida", "Webová stránka", "Site web", "Site internet", "Sitio web", "Página web",
    ]),
    _column("Company LinkedIn", COMPANY, "linkedin_url", "text", [
        "Company LinkedIn URL", "Company LinkedIn Profile", "LinkedIn Company", "LinkedIn Company URL",
        "LinkedIn Company Page", "Company LinkedIn Page", "LinkedIn firmy", "LinkedIn Unternehmen",
        "Firmen LinkedIn", "LinkedIn företag", "LinkedIn entreprise", "LinkedIn empresa",
    ]),
    _column("Employees", COMPANY, "employee_count", "whole", [
        "Employee Count", "Number of Employees", "No of Employees", "Employees Count",
        "Company Size", "Headcount", "Staff", "Size", "Liczba pracowników", "Pracownicy",
        "Wielkość firmy", "Mitarbeiter", "Anzahl Mitarbeiter", "Mitarbeiterzahl", "Anställda",
        "Antal anställda", "Zaměstnanci", "Počet zaměstnanců", "Employés", "Effectif", "Empleados",
        "Medewerkers",
    ]),
    _column("Industry", COMPANY, "industry", "text", [
        "Sector", "Branża", "Branche", "Bransch", "Odvětví", "Secteur", "Industria", "Industrie",
    ]),
    _column("Subindustry", COMPANY, "subindustry", "text", [
        "Sub Industry", "Sub-Industry", "Subsector", "Sub Sector", "Specialisation", "Specialization",
        "Podbranża", "Unterbranche", "Underbransch", "Sous-secteur",
    ]),
    _column("Country", COMPANY, "country", "text", [
        "Country Code", "Company Country", "Kraj", "Land", "Country/Region", "Stát", "Země", "Pays",
        "País",
    ]),
    _column("City", COMPANY, "city", "text", [
        "Town", "Company City", "Miasto", "Miejscowość", "Stadt", "Ort", "Stad", "Město", "Ville",
        "Ciudad", "Plaats",
    ]),
    _column("Lead Name", LEAD, "full_name", "text", [
        "Full Name", "Lead", "Contact Name", "Contact", "Contact Person", "Person", "Person Name",
        "Imię i nazwisko", "Osoba", "Osoba kontaktowa", "Ansprechpartner", "Vollständiger Name",
        "Kontaktperson", "Namn", "Jméno", "Kontaktní osoba", "Nom complet", "Nombre completo",
        "Naam",
    ]),
    _column("Position", LEAD, "position", "text", [
        "Title", "Job Title", "Role", "Job Position", "Stanowisko", "Funkcja", "Jobtitel", "Berufsbezeichnung",
        "Funktion", "Titel", "Befattning", "Roll", "Pozice", "Funkce", "Poste", "Fonction", "Cargo",
        "Puesto", "Functie",
    ]),
    _column("Lead LinkedIn", LEAD, "linkedin_url", "text", [
        "Lead LinkedIn URL", "Person LinkedIn", "Person LinkedIn URL", "Contact LinkedIn", "LinkedIn Profile",
        "Profile URL", "LinkedIn profil", "Profil LinkedIn", "LinkedIn osoby",
    ]),
    _column("Connections", LEAD, "connections", "whole", [
        "LinkedIn Connections", "Connection Count", "Number of Connections", "Połączenia", "Kontakty",
        "Liczba kontaktów", "Kontakte", "Verbindungen", "Kontakter", "Kontakty LinkedIn", "Relations",
        "Conexiones",
    ]),
    _column("Email", LEAD, "emails", "emails", [
        "E-mail", "Email Address", "E-mail Address", "Emails", "Mail", "Work Email", "Business Email",
        "Adres e-mail", "Adres email", "E-Mail-Adresse", "E-post", "E-postadress", "Courriel",
        "Adresse e-mail", "Correo", "Correo electrónico", "E-mailadres",
    ]),
    _column("Phone", LEAD, "phones", "phones", [
        "Phone Number", "Phones", "Telephone", "Tel", "Mobile", "Mobile Phone", "Cell", "Cell Phone",
        "Work Phone", "Direct Phone", "Telefon", "Nr telefonu", "Numer telefonu", "Komórka", "Tel kom",
        "Telefonnummer", "Handy", "Mobil", "Mobiltelefon", "Telefonní číslo", "Téléphone", "Portable",
        "Teléfono", "Móvil", "Telefoonnummer",
    ]),
    _column("Status", LEAD, "status", "text", [
        "Lead Status", "Status leada", "Lead-Status", "Statut", "Estado",
    ]),
    _column("Follow Up On", LEAD, "follow_up_on", "date", [
        "Follow Up", "Follow-up", "Follow Up Date", "Follow-up Date", "Next Contact", "Next Follow Up",
        "Data follow-up", "Data kontaktu", "Następny kontakt", "Wiedervorlage", "Nächster Kontakt",
        "Uppföljning", "Date de relance", "Relance", "Seguimiento",
    ]),
    _column("Campaign", SUBMISSION, "campaign", "text", [
        "Campaign Name", "Kampania", "Kampagne", "Kampanj", "Kampaň", "Campagne", "Campaña",
    ]),
    _column("Source", SUBMISSION, "source", "text", [
        "Lead Source", "Media Source", "Origin", "Źródło", "Quelle", "Herkunft", "Källa", "Zdroj",
        "Origine", "Fuente", "Bron",
    ]),
)

COLUMN_NAMES = tuple(column.name for column in COLUMNS)
COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}

# Headers that name a lead's column in a file about people and a company's column otherwise.
GENERIC_SYNONYMS = {
    "Name": ("Lead Name", "Company Name"),
    "LinkedIn": ("Lead LinkedIn", "Company LinkedIn"),
    "LinkedIn URL": ("Lead LinkedIn", "Company LinkedIn"),
    "LinkedIn Link": ("Lead LinkedIn", "Company LinkedIn"),
    "LinkedIn Profile URL": ("Lead LinkedIn", "Company LinkedIn"),
}

EXAMPLE_ROWS = (
    ("Acme Robotics Sp. z o.o.", "https://www.acme-robotics.pl", "https://pl.linkedin.com/company/acme-robotics",
     120, "Robotics", "Industrial automation", "PL", "Kraków", "Anna Nowak", "CTO",
     "https://www.linkedin.com/in/anna-nowak-acme", 350, "anna@acme-robotics.pl", "+48 601 234 567",
     "Sent Request", None, "Spring outreach", "LinkedIn"),
    ("Nordic Freight AB", "nordicfreight.se", "https://www.linkedin.com/company/nordic-freight",
     800, "Logistics", "Road freight", "SE", "Göteborg", "Erik Lindqvist", "Head of Operations",
     "https://www.linkedin.com/in/erik-lindqvist", 512, "erik.lindqvist@nordicfreight.se", "+46 31 123 45 67",
     "Follow Up", "2026-12-14", "Spring outreach", "Sales Navigator"),
)


def required_columns(settings):
    """The template columns a row must fill under `settings` (its `required_company_fields` may differ from the default)."""
    company_fields = set(settings.get("required_company_fields", DEFAULT_REQUIRED_COMPANY_FIELDS))
    return tuple(
        column for column in COLUMNS
        if (column.entity, column.field) in ALWAYS_REQUIRED_FIELDS
        or (column.entity == COMPANY and column.field in company_fields)
    )


def column_explanations():
    """One (column, required, what it holds, allowed values, also read as) row per column, for the template's second sheet."""
    from crmctl.rules.settings import DEFAULTS

    minimum = DEFAULTS["min_linkedin_connections"]
    limit = DEFAULTS["max_leads_per_company"]
    dated = " and ".join(STATUSES_NEEDING_DATE)
    holds = {
        "Company Name": ("The company's name; legal suffixes (Sp. z o.o., GmbH, AB, Ltd) may stay.",
                         "Repeat it on every row of the company's leads: the company is created once."),
        "Website": ("The company's website.", "Any form: acme.pl, www.acme.pl, https://acme.pl/."),
        "Company LinkedIn": ("The company's LinkedIn page.", "A linkedin.com/company/... page URL."),
        "Employees": ("The whole company's headcount.", "A whole number, 0 or more."),
        "Industry": ("The company's industry.", "Free text."),
        "Subindustry": ("A narrower industry, if there is one.", "Free text; may be empty."),
        "Country": ("The company's country.",
                    f"An ISO 3166 alpha-2 code (PL, DE, SE ...; see the {COUNTRIES_SHEET} sheet) or the English name."),
        "City": ("The company's city.", "Free text; may be empty."),
        "Lead Name": ("The person's full name.", f"At most {limit} leads per company."),
        "Position": ("The person's job title.", "Free text."),
        "Lead LinkedIn": ("The person's LinkedIn profile.", "A linkedin.com/in/... profile URL; may be empty."),
        "Connections": ("The person's LinkedIn connections.",
                        f"A whole number, {minimum} or more when given; may be empty."),
        "Email": ("The person's e-mail addresses.", "One or more, separated by ; or , (name@domain.tld)."),
        "Phone": ("The person's phone numbers.",
                  "One or more, separated by ; or ,; with +country code, or read in the company's country."),
        "Status": ("The lead's status; empty means " + LEAD_STATUSES[0] + ".", ", ".join(LEAD_STATUSES) + "."),
        "Follow Up On": ("The date of the next contact.",
                         f"A date (2026-03-05 or 05.03.2026); required when the status is {dated}."),
        "Campaign": ("The campaign the row came from.", "Free text; may be empty."),
        "Source": ("Where the row came from (a form, a list, Sales Navigator).", "Free text; may be empty."),
    }
    synonyms = {column.name: list(column.synonyms) for column in COLUMNS}
    for generic, names in GENERIC_SYNONYMS.items():
        for name in names:
            synonyms[name].append(generic)
    return [
        (column.name, "yes" if column.required else "no", *holds[column.name], ", ".join(synonyms[column.name]))
        for column in COLUMNS
    ]


def write_template(path):
    """The example workbook of `import template FILE.xls`: the header row and two example rows, then the columns explained."""
    import datetime

    import pycountry

    from crmctl.errors import BadInput
    from crmctl.files import require_file_name

    if not require_file_name(path).lower().endswith(".xls"):
        raise BadInput(f"the template is an .xls workbook: name it FILE.xls, not {path}")
    example_rows = [
        [datetime.date.fromisoformat(value) if column.kind == "date" and value else value
         for column, value in zip(COLUMNS, row)]
        for row in EXAMPLE_ROWS
    ]
    explanation_header = ("Column", "Required", "What it holds", "Allowed values", "Also read as")
    countries = sorted((country.alpha_2, country.name) for country in pycountry.countries)
    write_plain_workbook(path, [
        (LEADS_SHEET, COLUMN_NAMES, example_rows),
        (COLUMNS_SHEET, explanation_header, column_explanations()),
        (COUNTRIES_SHEET, ("Code", "Country"), countries),
    ])


def write_plain_workbook(path, sheets):
    """An .xls of (sheet name, header, rows) as written by hand: text stays text (no export guard), dates as dates.

    Written to a temporary file beside `path` and moved over it, so a failure leaves no half-written workbook.
    """
    import datetime

    import xlwt

    from crmctl.files import replace_when_written

    workbook = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for sheet_name, header, rows in sheets:
        sheet = workbook.add_sheet(sheet_name)
        for column_index, name in enumerate(header):
            sheet.write(0, column_index, name, bold)
            sheet.col(column_index).width = 256 * max(12, min(40, len(name) + 4))
        for row_index, row in enumerate(rows, start=1):
            for column_index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    sheet.write(row_index, column_index, value, date_style)
                else:
                    sheet.write(row_index, column_index, value)
    replace_when_written(path, ".xls", workbook.save)
