"""Web addresses as keys: a website's host, its registrable domain, LinkedIn company and profile pages.

IDN hosts are keyed in punycode (ASCII, `xn--...`), so `münchen.de` and
`xn--mnchen-3ya.de` give the same key. Registrable domains use tldextract with
its bundled suffix list only: nothing here reaches the network.
"""
import re
from urllib.parse import quote, unquote

from crmctl.errors import BadInput, quoted

# --------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(?=//)")
_AUTHORITY_END_RE = re.compile(r"[/?#\\]")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9\-]{1,59})$")
_WWW_RE = re.compile(r"^www\d*$")
_WS_RE = re.compile(r"\s")


def _split_url(url, field, allow_port=True):
    """Split a web address into (host, rest-after-host); raise BadInput if unreadable."""
    if url is None:
        raise BadInput(f"{field} is missing")
    if not isinstance(url, str):
        raise BadInput(f"{field} {quoted(url)} is not a valid URL")
    s = url.strip()
    bad = BadInput(f"{field} {quoted(url)} is not a valid URL")
    if not s or _WS_RE.search(s):
        raise bad
    m = _SCHEME_RE.match(s)
    if m:
        if m.group(1).lower() not in ("http", "https"):
            raise bad
        s = s[m.end() :]
    slashes = s.startswith("//")
    if slashes:
        s = s[2:]
    elif m:
        raise bad
    end = _AUTHORITY_END_RE.search(s)
    authority, rest = (s[: end.start()], s[end.start() :]) if end else (s, "")
    if "@" in authority:
        if not slashes:
            raise bad  # "bob@acme.com" is an e-mail, not a website
        authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        raise bad  # IPv6 literal
    host, colon, port = authority.partition(":")
    if colon and (not allow_port or not (port == "" or port.isdigit())):
        raise bad
    return host, rest, bad


def _host_key(host, bad):
    """Lower-case, punycode, no trailing dot; checked to be a dotted hostname."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise bad from None
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if len(labels) < 2 or not _TLD_RE.match(labels[-1]):
        raise bad
    for label in labels:
        if not _LABEL_RE.match(label):
            raise bad
    return labels


def website_key(url):
    """The website's host: no scheme, `www.`/`wwwN.`, port, path, query, userinfo.

    Other subdomains are kept (`shop.acme.com`); IDN hosts are given in punycode.
    """
    host, _rest, bad = _split_url(url, "website")
    labels = _host_key(host, bad)
    if len(labels) > 2 and _WWW_RE.match(labels[0]):
        del labels[0]
    return ".".join(labels)


_tld_extract = None


def registrable_domain(url):
    """The registrable domain (`shop.acme.co.uk` -> `acme.co.uk`), offline.

    Uses tldextract's bundled suffix list only; it never reaches the network.
    A host under an unknown suffix falls back to its last two labels.
    """
    global _tld_extract
    host = website_key(url)
    if _tld_extract is None:
        import tldextract

        _tld_extract = tldextract.TLDExtract(
            suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
        )
    parts = _tld_extract(host)
    if not parts.suffix:
        return ".".join(host.split(".")[-2:])
    if not parts.domain:
        raise BadInput(f"website {quoted(url)} is a public suffix, not a company's domain")
    return f"{parts.domain}.{parts.suffix}"


_LINKEDIN_SUB_RE = re.compile(r"^(?:www|m|mobile|touch|[a-z]{2})$")
_SLUG_BAD_RE = re.compile(r"[\s/?#\\<>\"\x00-\x1f\x7f]")


def _linkedin_key(url, kind, field):
    host, rest, bad = _split_url(url, field, allow_port=False)
    bad = BadInput(f"{field} {quoted(url)} is not a LinkedIn /{kind}/ page URL")
    host = host.lower().rstrip(".")
    if host != "linkedin.com":
        sub, dot, domain = host.partition(".")
        if domain != "linkedin.com" or not _LINKEDIN_SUB_RE.match(sub):
            raise bad
    path = re.split(r"[?#]", rest, maxsplit=1)[0]
    segments = [seg for seg in path.split("/") if seg]
    if len(segments) < 2 or segments[0].lower() != kind:
        raise bad
    try:
        slug = unquote(segments[1], errors="strict").lower()
    except UnicodeDecodeError:
        raise bad from None
    if "\x00" in slug:  # %00: refused here, the same on every backend (PostgreSQL cannot store it)
        raise BadInput(f"{field} {quoted(url)} contains a NUL character (%00)")
    if not slug or _SLUG_BAD_RE.search(slug) or slug in (".", ".."):
        raise bad
    return f"{kind}/{slug}"


def linkedin_company_key(url):
    """`company/<slug>` for a linkedin.com `/company/<slug>` page (any subdomain, form)."""
    return _linkedin_key(url, "company", "LinkedIn company URL")


def linkedin_profile_key(url):
    """`in/<slug>` for a linkedin.com `/in/<slug>` profile page (any subdomain, form)."""
    return _linkedin_key(url, "in", "LinkedIn profile URL")


def linkedin_page_url(key):
    """The canonical URL for a LinkedIn key: `https://www.linkedin.com/company/acme-inc/`."""
    kind, slash, slug = (key or "").partition("/")
    if kind not in ("company", "in") or not slug or _SLUG_BAD_RE.search(slug):
        raise BadInput(f"LinkedIn key {quoted(key)} is not company/<slug> or in/<slug>")
    return f"https://www.linkedin.com/{kind}/{quote(slug, safe='')}/"
