"""Realistic generated companies for the benchmarks: names, websites, LinkedIn pages, countries.

Names are built the way real company names are: a family name with a trade
("Kowalski Logistics"), two family names ("Weber & Schmidt"), a place or an
adjective with a trade and a generic word ("Nordic Steel Group"), an invented
brand ("Zentrava Systems"); each with the legal form usual in its country.
Variants of a name (`variant`) are what people really type for a company that
is already there: another legal form, "&" for "and", punctuation and case, a
dropped accent, a leading "The", one typo, or the name written as a web address.
"""
import random
import re
import unicodedata

SURNAMES = """Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski
Kozłowski Jankowski Mazur Krawczyk Piotrowski Grabowski Pawłowski Michalski Król Wieczorek Jabłoński
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter
Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson
Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams
Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart
Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson
Dubois Lefèvre Moreau Laurent Simon Michel Garnier Faure Rousseau Blanc Guérin Boyer Chevalier
García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Díaz Hernández Álvarez Romero
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa
Jansen Visser Smit Bakker Mulder Bos Vos Dekker Brouwer Dijkstra Novák Svoboda Dvořák Černý Procházka
Horváth Tóth Szabó Nagy Kovács Varga Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson
Hansen Jensen Nielsen Pedersen Kristensen Virtanen Korhonen Nieminen Mäkinen Hämäläinen""".split()

PLACES = """Nordic Baltic Alpine Atlantic Pacific Northern Southern Eastern Western Central Coastal Highland
Silesian Pomeranian Bavarian Saxon Rhine Danube Vistula Oder Elbe Thames Hudson Sierra Cascade Summit
Metro Urban Capital Harbor Bridge Valley River Lake Forest Meadow Granite Iron Silver Golden Crystal
Blue Green Red Black White Bright Clear Prime First Royal Imperial United Allied Global Euro Trans
Warsaw Krakow Gdansk Poznan Wroclaw Lodz Berlin Hamburg Munich Cologne Vienna Prague Budapest Paris Lyon
Madrid Barcelona Milan Turin Amsterdam Rotterdam Brussels London Manchester Boston Chicago Denver Austin
Oslo Stockholm Copenhagen Helsinki Dublin Lisbon Porto Zurich Geneva""".split()

TRADES = """Logistics Transport Freight Shipping Steel Metals Plastics Chemicals Pharma Biotech Medical
Dental Health Care Foods Bakery Dairy Brewery Beverages Farms Agro Energy Solar Wind Power Electric
Electronics Robotics Automation Machines Tools Engineering Construction Builders Concrete Timber Wood
Furniture Textiles Fashion Apparel Printing Packaging Paper Media Studio Design Software Systems Data
Analytics Cloud Networks Telecom Security Consulting Advisory Partners Finance Capital Insurance
Leasing Realty Properties Estates Hotels Travel Tours Motors Auto Parts Aviation Marine Mining Oil Gas
Water Recycling Labs Research Instruments Optics Sensors Devices Semiconductors Games Education Academy
Training Recruitment Staffing Legal Accounting Marketing Advertising Events Catering Cleaning Facility
Services Solutions Technologies Industries Supplies Trading Imports Exports Distribution Wholesale Retail""".split()

GENERIC = ["Group", "Holding", "Holdings", "International", "Global", "Enterprises", "Company"]

SYLLABLES = """zen tra va lor mex ion cor vik sol tek nova ter dyn ax ara bel cal dor fen gal hel ix jor kas lum
mar nix orb pax quin rad sen tor ult ven wex xan yor zor bri cla dre fro gre pla sta tri vol""".split()

LEGAL_FORMS = {
    "PL": ["Sp. z o.o.", "S.A.", "sp.j.", "Sp. z o.o. sp.k.", ""],
    "DE": ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", ""],
    "US": ["Inc.", "LLC", "Corp.", "Corporation", "Co.", ""],
    "GB": ["Ltd", "Limited", "PLC", "LLP", ""],
    "FR": ["SAS", "SARL", "S.A.", ""],
    "ES": ["S.L.", "S.A.", ""],
    "IT": ["S.r.l.", "S.p.A.", ""],
    "NL": ["B.V.", "N.V.", ""],
    "CZ": ["s.r.o.", "a.s.", ""],
    "SE": ["AB", ""],
}
COUNTRIES = list(LEGAL_FORMS)
COUNTRY_WEIGHTS = [30, 20, 20, 10, 5, 4, 4, 3, 2, 2]
INDUSTRIES = ["Logistics", "Manufacturing", "IT", "Healthcare", "Retail", "Finance", "Construction", "Energy"]


def brand(rng):
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
    return word.capitalize()


def base_name(rng):
    """A company name without its legal form."""
    pattern = rng.random()
    if pattern < 0.30:
        return f"{rng.choice(SURNAMES)} {rng.choice(TRADES)}"
    if pattern < 0.40:
        return f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)}"
    if pattern < 0.60:
        name = f"{rng.choice(PLACES)} {rng.choice(TRADES)}"
        return name + (f" {rng.choice(GENERIC)}" if rng.random() < 0.3 else "")
    if pattern < 0.80:
        return f"{brand(rng)} {rng.choice(TRADES)}"
    if pattern < 0.90:
        return f"{rng.choice(PLACES)} {rng.choice(TRADES)} {rng.choice(TRADES)}"
    return brand(rng) + (f" {rng.choice(TRADES)}" if rng.random() < 0.5 else "")


def slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def company(rng, number, country=None):
    """(name, base, country, website, linkedin) of a new company; `number` keeps its web keys unique."""
    country = country or rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
    base = base_name(rng)
    form = rng.choice(LEGAL_FORMS[country])
    name = f"{base} {form}".strip()
    host = f"{slug(base)}-{number:x}.{country.lower() if country != 'GB' else 'co.uk'}"
    return {
        "name": name,
        "base": base,
        "country": country,
        "website": f"https://www.{host}/",
        "website_key": host,
        "linkedin_url": f"https://www.linkedin.com/company/{slug(base)}-{number:x}/",
        "linkedin_key": f"company/{slug(base)}-{number:x}",
        "employee_count": rng.choice((5, 12, 40, 80, 150, 400, 1200, 5000)),
        "industry": rng.choice(INDUSTRIES),
    }


def strip_accents(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


KEYBOARD_NEIGHBOURS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wqrtyuiopoasdfghjklkzxcvbnm"))


def typo(rng, text):
    """One typo inside a word: a swapped, dropped, doubled or mistyped letter."""
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    if len(positions) < 3:
        return text
    i = rng.choice(positions[1:-1])
    kind = rng.choice(("swap", "drop", "double", "neighbour"))
    if kind == "swap" and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    lower = text[i].lower()
    replacement = KEYBOARD_NEIGHBOURS.get(lower, "e")
    if replacement == lower:
        replacement = "a"
    return text[:i] + replacement + text[i + 1:]


def variant(rng, record):
    """How someone else types the same company: returns (name, kind of variant)."""
    base, country = record["base"], record["country"]
    kinds = ["legal form", "punctuation", "accent", "the", "typo", "url", "case"]
    if "&" in base:
        kinds.append("and")
    kind = rng.choice(kinds)
    if kind == "legal form":
        forms = [f for f in LEGAL_FORMS[country] if f"{base} {f}".strip() != record["name"]] or [""]
        name = f"{base} {rng.choice(forms)}".strip()
    elif kind == "and":
        name = base.replace(" & ", " and ")
    elif kind == "punctuation":
        name = base.replace(" ", "-", 1) if " " in base else base + "."
    elif kind == "accent":
        stripped = strip_accents(base)
        name = stripped if stripped != base else base.upper()
    elif kind == "the":
        name = "The " + base
    elif kind == "typo":
        name = typo(rng, base)
        kind = "typo"
    elif kind == "url":
        name = f"www.{slug(base).replace('-', '')}.{rng.choice(('com', 'pl', 'de', 'eu'))}"
    else:
        name = base.upper() if rng.random() < 0.5 else base.lower()
    if rng.random() < 0.5 and kind not in ("legal form", "url"):
        name = f"{name} {rng.choice(LEGAL_FORMS[country])}".strip()
    return name, kind
