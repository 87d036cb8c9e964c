"""The tables company names are normalised with: legal forms, articles, abbreviations, web endings.

Data only; `crmctl.rules.names` applies them. Each entry is written as people
write it and tokenised by the same pipeline as names, so "S.A.", "SA" and
"S. A." are one entry. Where a table came from:

- legal forms: our own list (below) merged with cleanco's `termdata` (cleanco
  2.x, terms by type and by country), minus `CLEANCO_DENY`; the written-out
  forms were added from the national company registers' own names for them
  (e.g. "Société par actions simplifiée", "Spółka z ograniczoną
  odpowiedzialnością", "Osakeyhtiö", "Kabushiki Kaisha");
- legal forms written before the name: the registers' usage (Swedish
  "Aktiebolaget X" and "AB X", Japanese "Kabushiki Kaisha X", Indonesian "PT X",
  Russian "OAO/PAO/OOO X", Spanish "S.A. X");
- abbreviations: the usual English, French, Spanish and Portuguese business
  abbreviations; each group is one canonical token, the short form;
- web endings: the generic top-level domains companies use and every
  two-letter country ending, with the second-level endings under them
  (co.uk, com.br, co.jp ...). A web ending is only read in a name written as a
  web address (a dotted token such as "acme.co.uk"), never from a separate word,
  so "Brightwater UK" keeps its "uk".
"""

# Legal forms at the end of a name (and, repeatedly, before each other: "Sp. z o.o. sp.k.").
OWN_LEGAL_FORMS = """
inc|inc.|incorporated|corp|corp.|corporation|co|co.|company|cos|
llc|l.l.c.|ltd|ltd.|limited|ltd co|co ltd|co., ltd.|company limited|plc|p.l.c.|public limited company|
limited liability company|limited liability partnership|limited partnership|
private limited|private limited company|pvt ltd|pvt. ltd.|pvt|pty ltd|pty. ltd.|pty|proprietary limited|
llp|l.l.p.|lp|l.p.|lllp|pllc|
& co|and co|& company|and company|& cie|et cie|cie|cia|& co. kg|co kg|& c.|& c. s.p.a.|e c. s.p.a.|
gmbh|g.m.b.h.|mbh|gmbh & co. kg|gmbh & co kg|ag & co. kg|gmbh & co. kgaa|ag & co. kgaa|kg a.a.|kg aa|
gesellschaft mit beschränkter haftung|ag|a.g.|aktiengesellschaft|kommanditgesellschaft|
kommanditgesellschaft auf aktien|offene handelsgesellschaft|eingetragene genossenschaft|
kg|kgaa|ohg|ug|ug (haftungsbeschränkt)|haftungsbeschränkt|e.v.|eg|se|societas europaea|e.k.|e.kfm.|e.kfr.|
s.a.|sa|s.a.s.|sas|sasu|s.a.s.u.|sarl|s.a.r.l.|eurl|sca|snc|
société anonyme|société par actions simplifiée|société par actions simplifiée unipersonnelle|
société à responsabilité limitée|société en commandite par actions|société en nom collectif|
s.l.|sl|s.l.u.|slu|sll|s.a.u.|sau|s.a. de c.v.|sa de cv|s.a.b. de c.v.|sab de cv|
s.a.p.i. de c.v.|sapi de cv|s. de r.l. de c.v.|s de rl de cv|s. de r.l.|s. en c.|s.m.e.|sme|
sociedad anónima|sociedad limitada|sociedad de responsabilidad limitada|
sociedad anónima de capital variable|sociedad anónima bursátil de capital variable|
sociedad de responsabilidad limitada de capital variable|
sociedade anônima|sociedade anónima|sociedade limitada|sociedade por quotas|eireli|
srl|s.r.l.|s.p.a.|spa|s.a.p.a.|sapa|ltda|ltda.|limitada|s/a|
società per azioni|società a responsabilità limitata|società in accomandita semplice|società in nome collettivo|
sp. z o.o.|sp. z o. o.|sp.z o.o.|sp z oo|spółka z o.o.|
spółka z ograniczoną odpowiedzialnością|spółka akcyjna|s.k.a.|ska|
spółka komandytowa|sp. k.|sp.k.|spółka jawna|sp. j.|sp.j.|
spółka komandytowo-akcyjna|s.c.|
s.r.o.|spol. s r.o.|a.s.|akciová společnost|společnost s ručením omezeným|
a/s|as|asa|aps|ivs|k/s|amba|a.m.b.a.|aktieselskab|anpartsselskab|allmennaksjeselskap|aksjeselskap|
bv|b.v.|nv|n.v.|bvba|cvba|sprl|vof|v.o.f.|
naamloze vennootschap|besloten vennootschap|commanditaire vennootschap|vennootschap onder firma|
oy|oyj|oyj abp|abp|osakeyhtiö|julkinen osakeyhtiö|
ab|ab (publ)|publ|aktiebolag|publikt aktiebolag|hb|kb|
kk|k.k.|kabushiki kaisha|kabushiki-kaisha|kabushikigaisha|yk|y.k.|gk|g.k.|yugen kaisha|godo kaisha|
zrt|nyrt|kft|bt|d.o.o.|doo|d.d.|dd|ad|ood|eood|ead|
oü|as oy|uab|sia|aktsiaselts|osaühing|
sdn bhd|sdn. bhd.|sendirian berhad|bhd|berhad|pte ltd|pte. ltd.|pte|tbk|perseroan terbatas|
lda|pjsc|ojsc|cjsc|jsc|oao|pao|zao|ooo|
"""

# Legal forms written before the name ("AB Nordvik", "OOO Acme", "PT Astra", "S.A. Ibérica de Tubos").
LEGAL_PREFIXES = """
ab|aktiebolaget|aktiebolag|kabushiki kaisha|kabushiki-kaisha|kabushikigaisha|k.k.|yugen kaisha|
s.a.|sa|s.p.a.|spa|pt|p.t.|cv|c.v.|ooo|oao|zao|pao|ao|pjsc|ojsc|cjsc|jsc|tov|as|oy|uab|
aktieselskabet|aktieselskab|aksjeselskapet|allmennaksjeselskapet|osakeyhtiö|
"""

# cleanco terms that are also ordinary words or abbreviations at the end of
# real company names: never treated as legal forms.
CLEANCO_DENY = frozenset(
    """
    uk private at et eu ok ent ca ec sp pp ps pc coop koop scoop ss ong tmi
    sem ses sep vat dat ba bl fa da sd ee ae ay bm ij ik ud ep od oe og ou sc
    sf ks kt kv ky mb nl xk xt sm ei is gs
    """.split()
)

# Articles that may lead a name without telling it apart ("The", "La", "Der" ...).
LEADING_ARTICLES = frozenset("the el la las los le les der die das il lo gli het".split())

# Abbreviations: every word of a group is read as the group's first word, the short form.
ABBREVIATIONS = """
intl international internacional internationale internazionale
mfg manufacturing manufacturer manufacturers
bros brothers
natl national nacional nationale nazionale
co company
corp corporation corporacion corporacao
cie compagnie
cia compania companhia
grp group grupo groupe gruppe gruppo
tech technologies technology tecnologia tecnologias technologie technik techn
inds industries industrias industrie industria
svcs services service servicios servicos svc
assn association asociacion associacao
assoc associates
labs laboratories laboratory laboratorios laboratoire laboratoires lab
mgmt management
univ university universidad universidade universite
ctr center centre centro
st saint
mt mount
dept department
fed federal
pharm pharmaceutical pharmaceuticals pharma
sys systems system
"""

# Words for "and" in the languages crmctl serves, read as "and" between two words.
AND_WORDS = frozenset("und et och og".split())

# Web endings: a dotted token ending in one of these is a web address.
GENERIC_WEB_ENDINGS = frozenset("""
com net org info biz io co ai app dev eu asia shop store online site tech group company global digital
cloud agency solutions services systems media studio design pro xyz me tv
""".split())
# Second-level words under a country ending: acme.co.uk, acme.com.br, acme.ne.jp ...
SECOND_LEVEL_WEB_WORDS = frozenset("co com org net ne or ac gov gob edu ltd plc firm gen biz info nom".split())
