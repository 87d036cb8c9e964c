"""SPEC §5 normalisation: the keys that duplicate rules compare.

Tables of real-world variants: each row of a "same key" table must give the
expected key; each row of a "bad input" table must raise BadInput.
"""
import socket

import pytest

from crmctl.errors import BadInput
from crmctl.rules import web
from crmctl.rules.contacts import country_code, email_key, phone_key
from crmctl.rules.names import company_name_key, name_tokens
from crmctl.rules.web import linkedin_company_key, linkedin_profile_key, linkedin_page_url, registrable_domain, website_key

# --------------------------------------------------------------------------
# Company names
# --------------------------------------------------------------------------

ACME_VARIANTS = [
    "Acme",
    "Acme Inc.",
    "ACME, Inc",
    "Acme Inc",
    "acme inc.",
    "Acme Incorporated",
    "Acme Corp.",
    "Acme Corporation",
    "Acme Co.",
    "The Acme Company",
    "Acme Company, The",
    "Acme LLC",
    "Acme, L.L.C.",
    "Acme Ltd",
    "Acme Ltd.",
    "Acme Limited",
    "Acme PLC",
    "Acme p.l.c.",
    "Acme GmbH",
    "Acme G.m.b.H.",
    "Acme GmbH & Co. KG",
    "Acme AG",
    "Acme Aktiengesellschaft",
    "Acme KGaA",
    "Acme SE",
    "Acmé S.A.",
    "ACME SA",
    "Acme S. A.",
    "Acme S.A.S.",
    "Acme SAS",
    "Acme SARL",
    "Acme S.L.",
    "Acme SRL",
    "Acme S.r.l.",
    "Acme S.p.A.",
    "Acme S.A. de C.V.",
    "Acme Sp. z o.o.",
    "ACME SP. Z O.O.",
    "Acme sp. z o. o.",
    "Acme Spółka z o.o.",
    "Acme Spółka z ograniczoną odpowiedzialnością",
    "Acme Spółka Akcyjna",
    "Acme Sp. z o.o. sp.k.",
    "Acme B.V.",
    "Acme BV",
    "Acme N.V.",
    "Acme NV",
    "Acme Oy",
    "Acme Oyj",
    "Acme AB",
    "Acme AB (publ)",
    "Acme AS",
    "Acme A/S",
    "Acme ApS",
    "Acme KG",
    "Acme e.K.",
    "Acme e. K.",
    "Acme e.Kfm.",
    "Acme e.U.",
    "Acme Pty Ltd",
    "Acme Pvt. Ltd.",
    "Acme (Private) Limited",
    "Acme LLP",
    "Acme LP",
    "Acme K.K.",
    "Acme UG (haftungsbeschränkt)",
    "Acme Sdn. Bhd.",
    "Acme Pte. Ltd.",
    "Acme Co., Ltd.",
    "  Acme   Inc.  ",
    "ACMÉ",
    "OOO Acme",
]


@pytest.mark.parametrize("name", ACME_VARIANTS)
def test_legal_suffixes_are_ignored_in_company_names(name):
    assert company_name_key(name) == "acme"


SAME_NAME_PAIRS = [
    ("Procter & Gamble", "Procter and Gamble"),
    ("Procter & Gamble Co.", "procter and gamble"),
    ("Procter+Gamble", "Procter and Gamble"),
    ("AT&T Inc.", "AT & T"),
    ("H&M", "H & M"),
    ("Johnson & Johnson", "Johnson and Johnson"),
    ("McDonald's Corporation", "McDonalds"),
    ("McDonald\u2019s Corp", "McDonald's"),
    ("Coca-Cola Company", "Coca Cola"),
    ("J.P. Morgan Chase & Co.", "JP Morgan Chase"),
    ("A.P. Møller - Mærsk A/S", "AP Moller Maersk"),
    ("Société Générale S.A.", "Societe Generale"),
    ("Nestlé S.A.", "NESTLE"),
    ("Zürich Versicherungs-Gesellschaft AG", "Zurich Versicherungs Gesellschaft"),
    ("Łódzkie Zakłady Sp. z o.o.", "Lodzkie Zaklady"),
    ("The Boeing Company", "Boeing"),
    ("Deutsche Bank AG", "Deutsche Bank"),
    ("Volvo AB (publ)", "Volvo"),
    ("Smith & Co.", "Smith"),
    ("Smith and Company", "Smith"),
]


@pytest.mark.parametrize("a, b", SAME_NAME_PAIRS)
def test_case_accents_punctuation_and_ampersands_are_ignored_in_company_names(a, b):
    assert company_name_key(a) == company_name_key(b)


KEYS = [
    ("Procter & Gamble", "procter and gamble"),
    ("Foo Holdings Co., Ltd.", "foo holdings"),
    ("Foo Holdings Ltd Co", "foo holdings"),
    ("Acme GmbH & Co. KG", "acme"),
    ("Acme Group Inc.", "acme grp"),  # abbreviations read as their short form
    ("3M Company", "3m"),
    ("Bank of America Corp.", "bank of america"),
    ("Limited Brands Inc", "limited brands"),
    ("SAS Institute", "sas institute"),
    ("AB Foods plc", "foods"),  # "AB" before a name is a legal form (AB Nordvik / Nordvik AB): issue 8
    ("Co-operative Bank", "co operative bank"),
    ("Acme UK Ltd", "acme uk"),
    ("  Acme \t Widgets\n International  ", "acme widgets intl"),
]


@pytest.mark.parametrize("name, key", KEYS)
def test_company_name_key_examples(name, key):
    assert company_name_key(name) == key


@pytest.mark.parametrize(
    "name, key",
    [
        ("Foo Holdings Co., Ltd.", "foo holdings"),
        ("Acme Sp. z o.o. sp.k.", "acme"),
        ("Acme Ltd. Co. Inc.", "acme"),
    ],
)
def test_legal_suffixes_are_removed_repeatedly(name, key):
    assert company_name_key(name) == key


@pytest.mark.parametrize(
    "name, key",
    [
        ("Inc.", "inc"),
        ("Co", "co"),
        ("Company Limited", "co limited"),
        ("Co., Ltd.", "co ltd"),
        ("AB", "ab"),
        ("The", "the"),
        ("The Co.", "co"),
    ],
)
def test_a_name_that_is_only_a_legal_suffix_keeps_its_cleaned_name(name, key):
    assert company_name_key(name) == key


DIFFERENT_COMPANIES = [
    ("General Electric", "General Motors"),
    ("General Electric Company", "General Motors Company"),
    ("Acme", "Acme Widgets"),
    ("Acme Inc.", "Apex Inc."),
    ("Acme UK Ltd", "Acme Ltd"),
    ("Acme Holdings", "Acme"),
    ("Johnson & Johnson", "Johnson Controls"),
    ("SAS Institute", "Institute"),
]


@pytest.mark.parametrize("a, b", DIFFERENT_COMPANIES)
def test_different_companies_keep_different_name_keys(a, b):
    assert company_name_key(a) != company_name_key(b)


@pytest.mark.parametrize(
    "name",
    ["Acme Inc.", "The Acme Company", "Procter & Gamble Co.", "  ACMÉ,  S.A. ", "Foo Holdings Co., Ltd."],
)
def test_company_name_key_is_idempotent_and_single_spaced(name):
    key = company_name_key(name)
    assert company_name_key(key) == key
    assert key == key.strip() and "  " not in key and key == key.lower() and key.isascii()


@pytest.mark.parametrize("name", ["", "   ", "!!!", "&.,-", None])
def test_a_company_name_without_letters_or_digits_is_bad_input(name):
    with pytest.raises(BadInput):
        company_name_key(name)


@pytest.mark.parametrize(
    "name, tokens",
    [
        ("Procter & Gamble Co.", ["procter", "and", "gamble"]),
        ("Acme Sp. z o.o.", ["acme"]),
        ("The Foo Holdings Co., Ltd.", ["foo", "holdings"]),
        ("Zürich Versicherungs-Gesellschaft AG", ["zurich", "versicherungs", "gesellschaft"]),
    ],
)
def test_name_tokens_are_the_tokens_of_the_name_key(name, tokens):
    assert name_tokens(name) == tokens
    assert name_tokens(name) == company_name_key(name).split(" ")


def test_cleanco_quirks_are_not_inherited():
    # cleanco.basename leaves "Co." after "Ltd.", empties "Co", misses Polish
    # and German long forms; the key must not.
    assert company_name_key("Foo Holdings Co., Ltd.") == "foo holdings"
    assert company_name_key("Co") == "co"
    assert company_name_key("Acme Spółka Akcyjna") == "acme"
    assert company_name_key("Acme Aktiengesellschaft") == "acme"


@pytest.mark.parametrize("name, key", [("Allegro.eu", "allegro"), ("Acme EU", "acme eu"),
                                       ("Acme e.U.", "acme"), ("Acme GmbH e.K.", "acme")])
def test_austrian_e_u_is_a_legal_form_only_when_written_with_its_dots(name, key):
    assert company_name_key(name) == key


@pytest.mark.parametrize("word", ["UK", "Private", "PC", "At", "EU"])
def test_ordinary_words_from_cleancos_term_list_are_not_treated_as_legal_suffixes(word):
    assert company_name_key(f"Acme {word}") == f"acme {word.lower()}"


# --------------------------------------------------------------------------
# Websites
# --------------------------------------------------------------------------

WEBSITES = [
    ("acme.com", "acme.com"),
    ("ACME.COM", "acme.com"),
    ("www.acme.com", "acme.com"),
    ("http://acme.com", "acme.com"),
    ("https://acme.com/", "acme.com"),
    ("http://www.Acme.com:8080/about?x=1", "acme.com"),
    ("HTTPS://WWW.ACME.COM/About#team", "acme.com"),
    ("//acme.com", "acme.com"),
    ("//www.acme.com/path", "acme.com"),
    ("https://user:secret@www.acme.com/", "acme.com"),
    ("www2.acme.com", "acme.com"),
    ("http://www3.acme.com", "acme.com"),
    ("acme.com.", "acme.com"),
    ("acme.com?ref=x", "acme.com"),
    ("acme.com#top", "acme.com"),
    ("  https://acme.com  ", "acme.com"),
    ("shop.acme.com", "shop.acme.com"),
    ("https://shop.acme.com/cart", "shop.acme.com"),
    ("www.shop.acme.com", "shop.acme.com"),
    ("acme.co.uk", "acme.co.uk"),
    ("www.acme.co.uk/", "acme.co.uk"),
    ("www.com", "www.com"),
    ("münchen.de", "xn--mnchen-3ya.de"),
    ("http://www.MÜNCHEN.de/kontakt", "xn--mnchen-3ya.de"),
    ("xn--mnchen-3ya.de", "xn--mnchen-3ya.de"),
    ("XN--MNCHEN-3YA.DE", "xn--mnchen-3ya.de"),
    ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
]


@pytest.mark.parametrize("url, key", WEBSITES)
def test_website_key_ignores_scheme_www_port_path_and_query(url, key):
    assert website_key(url) == key


BAD_WEBSITES = [
    "",
    "   ",
    "not a url",
    "http://",
    "https://",
    "//",
    "localhost",
    "http://localhost:8000/",
    "acme",
    "htp//x",
    "http:acme.com",
    "acme .com",
    "acme.com/some path",
    "ftp://acme.com",
    "mailto:bob@acme.com",
    "bob@acme.com",
    "192.168.0.1",
    "http://[::1]/",
    "acme.com:abc",
    "acme..com",
    "-acme.com",
    "acme-.com",
    "acme.c",
    "acme.123",
    "acme_corp.com",
    None,
]


@pytest.mark.parametrize("url", BAD_WEBSITES)
def test_a_website_that_is_not_a_dotted_hostname_is_bad_input(url):
    with pytest.raises(BadInput):
        website_key(url)


def test_bad_input_message_is_one_line_naming_field_and_value():
    with pytest.raises(BadInput) as exc:
        website_key("htp//x")
    assert exc.value.message == "website 'htp//x' is not a valid URL"
    with pytest.raises(BadInput) as exc:
        phone_key("abc", None)
    assert "phone" in exc.value.message and "'abc'" in exc.value.message
    assert "\n" not in exc.value.message


REGISTRABLE = [
    ("shop.acme.co.uk", "acme.co.uk"),
    ("https://www.acme.co.uk/about", "acme.co.uk"),
    ("acme.com", "acme.com"),
    ("a.b.shop.acme.com", "acme.com"),
    ("eu.shop.acme.com.pl", "acme.com.pl"),
    ("acme.com.au", "acme.com.au"),
    ("shop.münchen.de", "xn--mnchen-3ya.de"),
    ("acme.notarealtld", "acme.notarealtld"),
]


@pytest.mark.parametrize("url, domain", REGISTRABLE)
def test_registrable_domain_uses_the_public_suffix_list(url, domain):
    assert registrable_domain(url) == domain


@pytest.mark.parametrize("url", ["co.uk", "not a url", "localhost"])
def test_registrable_domain_of_a_bare_suffix_or_non_host_is_bad_input(url):
    with pytest.raises(BadInput):
        registrable_domain(url)


def test_registrable_domain_never_reaches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tldextract tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(web, "_tld_extract", None)
    assert registrable_domain("https://shop.acme.co.uk/x") == "acme.co.uk"


# --------------------------------------------------------------------------
# LinkedIn
# --------------------------------------------------------------------------

LINKEDIN_COMPANIES = [
    "https://www.linkedin.com/company/acme-inc/",
    "https://www.linkedin.com/company/acme-inc",
    "http://www.linkedin.com/company/acme-inc/",
    "www.linkedin.com/company/acme-inc",
    "linkedin.com/company/acme-inc/",
    "linkedin.com/company/acme-inc/about/?trk=x",
    "https://www.linkedin.com/company/acme-inc/posts/?feedView=all",
    "https://www.linkedin.com/company/acme-inc#top",
    "https://pl.linkedin.com/company/acme-inc",
    "https://uk.linkedin.com/company/acme-inc/",
    "https://m.linkedin.com/company/acme-inc",
    "HTTPS://WWW.LINKEDIN.COM/COMPANY/ACME-INC/",
    "https://www.linkedin.com/company/Acme-Inc",
    "https://www.linkedin.com/company/acme%2Dinc/",
    "//www.linkedin.com/company/acme-inc",
    "  https://www.linkedin.com/company/acme-inc/  ",
    "https://www.linkedin.com//company//acme-inc//",
]


@pytest.mark.parametrize("url", LINKEDIN_COMPANIES)
def test_linkedin_company_urls_normalise_to_one_key(url):
    assert linkedin_company_key(url) == "company/acme-inc"


def test_linkedin_slugs_are_percent_decoded_and_round_trip():
    key = linkedin_company_key("https://www.linkedin.com/company/s%C3%B3crates-SA/")
    assert key == "company/sócrates-sa"
    assert linkedin_company_key(linkedin_page_url(key)) == key
    profile = linkedin_profile_key("https://pl.linkedin.com/in/J%C3%B3zef-Nowak/")
    assert profile == "in/józef-nowak"
    assert linkedin_profile_key(linkedin_page_url(profile)) == profile


BAD_LINKEDIN_COMPANIES = [
    "https://www.linkedin.com/school/acme-university/",
    "https://www.linkedin.com/showcase/acme-cloud/",
    "https://linkedin.com.evil.com/company/acme-inc",
    "https://notlinkedin.com/company/acme-inc",
    "https://evil.com/linkedin.com/company/acme-inc",
    "https://linkedin.com@evil.com/company/acme-inc",
    "https://www.linkedin.com/feed/",
    "https://www.linkedin.com/",
    "https://www.linkedin.com/company/",
    "https://www.linkedin.com/company",
    "https://www.linkedin.com/in/john-doe/",
    "https://www.linkedin.com/search/results/companies/?keywords=acme",
    "https://www.linkedin.com/sales/company/12345",
    "https://www.linkedin.com/company/acme%2Fevil",
    "https://lnkd.in/abc123",
    "ftp://www.linkedin.com/company/acme-inc",
    "https://www.acme.com/company/acme-inc",
    "Acme Inc",
    "acme-inc",
    "",
    None,
]


@pytest.mark.parametrize("url", BAD_LINKEDIN_COMPANIES)
def test_a_linkedin_company_link_must_be_a_direct_company_page(url):
    with pytest.raises(BadInput):
        linkedin_company_key(url)


LINKEDIN_PROFILES = [
    "https://www.linkedin.com/in/john-doe-12345678/",
    "https://www.linkedin.com/in/John-Doe-12345678",
    "linkedin.com/in/john-doe-12345678",
    "https://pl.linkedin.com/in/john-doe-12345678/?originalSubdomain=pl",
    "https://m.linkedin.com/in/john-doe-12345678/detail/contact-info/",
    "http://uk.linkedin.com/in/john-doe-12345678",
]


@pytest.mark.parametrize("url", LINKEDIN_PROFILES)
def test_linkedin_profile_urls_normalise_to_one_key(url):
    assert linkedin_profile_key(url) == "in/john-doe-12345678"


BAD_LINKEDIN_PROFILES = [
    "https://www.linkedin.com/company/acme-inc/",
    "https://www.linkedin.com/in/",
    "https://www.linkedin.com/pub/john-doe/1/2/3",
    "https://www.linkedin.com/feed/",
    "https://www.linkedin.com/search/results/people/?keywords=john",
    "https://in.linkedin.com.evil.com/in/john-doe",
    "https://facebook.com/in/john-doe",
    "john doe",
]


@pytest.mark.parametrize("url", BAD_LINKEDIN_PROFILES)
def test_a_linkedin_person_link_must_be_a_direct_profile_page(url):
    with pytest.raises(BadInput):
        linkedin_profile_key(url)


@pytest.mark.parametrize(
    "key, url",
    [
        ("company/acme-inc", "https://www.linkedin.com/company/acme-inc/"),
        ("in/john-doe", "https://www.linkedin.com/in/john-doe/"),
        ("in/józef", "https://www.linkedin.com/in/j%C3%B3zef/"),
    ],
)
def test_linkedin_url_is_the_canonical_url_of_a_key(key, url):
    assert linkedin_page_url(key) == url


@pytest.mark.parametrize("key", ["", "company/", "school/acme", "acme", "company/a/b", None])
def test_linkedin_url_of_a_malformed_key_is_bad_input(key):
    with pytest.raises(BadInput):
        linkedin_page_url(key)


# --------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------

EMAILS = [
    ("bob@acme.com", "bob@acme.com"),
    ("Bob@Acme.com", "bob@acme.com"),
    ("  BOB.SMITH@ACME.CO.UK ", "bob.smith@acme.co.uk"),
    ("bob+crm@acme.com", "bob+crm@acme.com"),
    ("\tbob@mail.acme.com\n", "bob@mail.acme.com"),
    # as addresses are copied from a mail program or a web page
    ("mailto:Bob@Acme.com", "bob@acme.com"),
    ("Bob Smith <bob@acme.com>", "bob@acme.com"),
    ("<bob@acme.com>", "bob@acme.com"),
    ("o'brien@acme.ie", "o'brien@acme.ie"),
    ("józef@przykład.pl", "józef@przykład.pl"),
]


@pytest.mark.parametrize("email, key", EMAILS)
def test_email_key_is_stripped_and_lowercased(email, key):
    assert email_key(email) == key


BAD_EMAILS = [
    "",
    "   ",
    "bob",
    "bob@acme",
    "bob@@acme.com",
    "bob@acme@acme.com",
    "@acme.com",
    "bob@",
    "bob@.com",
    "bob@acme.",
    "bob@acme..com",
    "bob smith@acme.com",
    "bob@ac me.com",
    "<bob@acme.com>;",  # a separator pasted along: one address per --email
    "bob@acme.com=x",
    "bob..smith@acme.com",
    "bob@-acme.com",
    "bob@acme.c0m",
    None,
]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_an_email_must_look_like_local_at_domain_tld(email):
    with pytest.raises(BadInput):
        email_key(email)


# --------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------

PHONES = [
    # (value, default region, E.164)
    ("+48 123 456 789", None, "+48123456789"),
    ("+48123456789", "DE", "+48123456789"),
    ("+48-123-456-789", None, "+48123456789"),
    ("+48 (12) 345 67 89", None, "+48123456789"),
    ("0048 123 456 789", None, "+48123456789"),
    ("0048123456789", "PL", "+48123456789"),
    ("123 456 789", "PL", "+48123456789"),
    ("123-456-789", "pl", "+48123456789"),
    ("123.456.789", "PL", "+48123456789"),
    ("(12) 345 67 89", "PL", "+48123456789"),
    ("48123456789", None, "+48123456789"),
    ("48123456789", "PL", "+48123456789"),
    (48123456789, None, "+48123456789"),
    (48123456789.0, None, "+48123456789"),
    (4.8123456789e10, None, "+48123456789"),
    (48123456789.0, "PL", "+48123456789"),
    (123456789.0, "PL", "+48123456789"),
    (123456789, "PL", "+48123456789"),
    ("48123456789.0", None, "+48123456789"),
    ("4.8123456789E10", None, "+48123456789"),
    ("4.8123456789E+10", None, "+48123456789"),
    ("+44 20 7946 0958", None, "+442079460958"),
    ("+44 (0) 20 7946 0958", None, "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("020 7946 0958", "UK", "+442079460958"),
    ("442079460958", None, "+442079460958"),
    ("(212) 555-0123", "US", "+12125550123"),
    ("+1 (212) 555-0123", None, "+12125550123"),
    ("12125550123", None, "+12125550123"),
    ("030 1234567", "DE", "+49301234567"),
    ("  +49 30 1234567  ", None, "+49301234567"),
]


@pytest.mark.parametrize("value, region, e164", PHONES)
def test_phones_are_compared_in_e164(value, region, e164):
    assert phone_key(value, region) == e164


BAD_PHONES = [
    ("", None),
    ("   ", "PL"),
    (None, "PL"),
    ("abc", None),
    ("call me", "PL"),
    ("12", "PL"),
    ("123456789", None),
    ("+1 555 555 5555", None),
    ("+48 12", None),
    ("+999 123 456 789", None),
    (1.5, None),
    (float("nan"), None),
    (float("inf"), None),
    (-48123456789, None),
    (0, "PL"),
    (True, "PL"),
    ("123 456 789", "ZZ"),
]


@pytest.mark.parametrize("value, region", BAD_PHONES)
def test_a_phone_that_is_not_a_valid_number_is_bad_input(value, region):
    with pytest.raises(BadInput):
        phone_key(value, region)


# --------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------

COUNTRIES = [
    ("PL", "PL"),
    ("pl", "PL"),
    (" de ", "DE"),
    ("POL", "PL"),
    ("deu", "DE"),
    ("GBR", "GB"),
    ("Poland", "PL"),
    ("poland", "PL"),
    ("POLAND", "PL"),
    ("Germany", "DE"),
    ("United Kingdom", "GB"),
    ("UK", "GB"),
    ("uk", "GB"),
    ("Great Britain", "GB"),
    ("United States", "US"),
    ("USA", "US"),
    ("United States of America", "US"),
    ("France", "FR"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("Netherlands", "NL"),
    ("The Netherlands", "NL"),
    ("Russia", "RU"),
    ("South Korea", "KR"),
    ("Vietnam", "VN"),
]


@pytest.mark.parametrize("value, code", COUNTRIES)
def test_countries_are_iso_alpha2(value, code):
    assert country_code(value) == code


@pytest.mark.parametrize("value", ["", "  ", "XX", "Narnia", "Polska Ludowa", "P", None])
def test_an_unknown_country_is_bad_input(value):
    with pytest.raises(BadInput):
        country_code(value)
