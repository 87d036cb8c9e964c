"""Case and accent folding for `~` and `--search`, the same on SQLite, PostgreSQL and MariaDB (issue 9, point 13).

The fold maps each letter of FOLD_FROM to the one at the same place in FOLD_TO
("Ł" and "ł" to "l", "É" to "e", an upper-case Greek or Cyrillic letter to its
lower case), then lower-cases the rest; one character to one. It is the
equivalence MariaDB's utf8mb4_unicode_520_ci draws between single letters, so
MariaDB compares under that collation and needs nothing here.

- SQLite: the company-name FTS5 trigram table of migration 0003 indexes the
  folded names. Its content is the view `company_name_search` (id, folded
  name), so 'rebuild' works from any connection; the fold is written in plain
  SQL over two small tables (`crmctl_fold_map`: letter -> folded letter;
  `crmctl_fold_position`: 1..255, a name's positions), so the triggers need no
  function of crmctl's and any program that writes `company` keeps the index
  right. Queries fold their side with the `crmctl_fold` function crmctl
  registers on its connections.
- PostgreSQL: `crmctl_fold(text)`, an IMMUTABLE SQL function (lower(translate(...))
  over the table; pure ASCII only lower-cased), and the pg_trgm index of 0003
  rebuilt on crmctl_fold(name) when pg_trgm is installed.

Frozen here: the fold table of version 8 (crmctl.storage.folding holds the live
copy, which a test compares with this one); this file imports nothing from crmctl.
"""
from peewee import PostgresqlDatabase, SqliteDatabase

FOLD_FROM = (
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤ"
    "ĥĦħĨĩĪīĬĭĮįİĲĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŊŌōŎŏŐőŒŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƁƂƄƆƇƉƊƋƎƏƐƑ"
    "ƓƔƖƗƘƜƝƟƠơƢƤƦƧƩƬƮƯưƱƲƳƵƷƸƼǄǅǇǈǊǋǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǣǤǦǧǨǩǪǫǬǭǮǯǰǱǲǴǵǶǷǸǹǺǻǼǽǾǿȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏ"
    "ȐȑȒȓȔȕȖȗȘșȚțȜȞȟȠȢȤȦȧȨȩȪȫȬȭȮȯȰȱȲȳȺȻȽȾɁɃɄɅɆɈɊɌɎͰͲʹͶΆΈΉΊΌΎΏΐΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΪΫάέήίΰςϊϋόύώϏϐ"
    "ϑϒϓϔϕϖϘϚϜϞϠϢϤϦϨϪϬϮϰϱϲϴϵϷϹϺϽϾϿЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯѐёѝѠѢѤѦѨѪѬѮѰѲѴѶѸѺѼѾ"
    "ҀҊҌҎҐґҒҔҖҘҚҜҞҠҢҤҦҨҪҬҮҰҲҴҶҸҺҼҾӀӁӂӃӅӇӉӋӍӐӒӔӖӘӚӜӞӠӢӣӤӦӨӪӬӮӯӰӲӴӶӸӺӼӾḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟ"
    "ḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿ"
    "ẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẞẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợ"
    "ỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹỺỼỾ"
)
FOLD_TO = (
    "aaaaaaæceeeeiiiidnoooooouuuuyþaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeeggggggggh"
    "hhhiiiiiiiiiĳjjkkllllllllllnnnnnnŋooooooœrrrrrrssssssssttttŧuuuuuuuuuuuuwwyyyzzzzzzsɓƃƅɔƈɖɗƌǝəɛƒ"
    "ɠɣɩɨƙɯɲɵooƣƥʀƨʃƭʈuuʊʋƴƶʒƹƽǆǆǉǉǌǌaaiioouuuuuuuuuuaaaaææǥggkkooooʒʒjǳǳggƕƿnnaaææooaaaaeeeeiiiioooo"
    "rrrruuuussttȝhhƞȣȥaaeeooooooooyyⱥȼƚⱦɂƀʉʌɇɉɋɍɏͱͳʹͷαεηιουωιαβγδεζηθικλμνξοπρστυφχψωιυαεηιυσιυουωϗβ"
    "θυυυφπϙϛϝϟϡϣϥϧϩϫϭϯκρσθεϸσϻͻͼͽееђѓєѕіїјљњћќиўџабвгдежзийклмнопрстуфхцчшщъыьэюяееиѡѣѥѧѩѫѭѯѱѳѵѷѹѻѽѿ"
    "ҁҋҍҏггғҕҗҙқҝҟҡңҥҧҩҫҭүұҳҵҷҹһҽҿӏжжӄӆӈӊӌӎӑӓӕӗәӛӝӟӡииӥӧөӫӭууӱӳӵӷӹӻӽӿaabbbbbbccddddddddddeeeeeeeeeeff"
    "gghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv"
    "wwwwwwwwwwxxxxyyzzzzzzhtwysßaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooo"
    "uuuuuuuuuuuuuuyyyyyyyyỻỽỿ"
)

NAME_LENGTH = 255  # company.name's column: the positions the SQLite fold reads


def sqlite_fold(text):
    """The fold of `text` (an SQL expression) in built-in SQLite: one look-up per non-ASCII letter."""
    letter = f"substr({text}, p.n, 1)"
    return (f"(SELECT group_concat(CASE WHEN unicode({letter}) < 128 THEN {letter} ELSE "
            f"coalesce((SELECT m.f FROM crmctl_fold_map m WHERE m.c = {letter}), {letter}) END, '') "
            f"FROM crmctl_fold_position p WHERE p.n <= length({text}))")


SQLITE_OLD_SEARCH = (
    "DROP TRIGGER IF EXISTS company_name_fts_insert",
    "DROP TRIGGER IF EXISTS company_name_fts_delete",
    "DROP TRIGGER IF EXISTS company_name_fts_update",
    "DROP TABLE IF EXISTS company_name_fts",
)
SQLITE_FOLDED_SEARCH = (
    "CREATE TABLE crmctl_fold_map (c TEXT PRIMARY KEY, f TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE crmctl_fold_position (n INTEGER PRIMARY KEY)",
    f"CREATE VIEW company_name_search (id, name) AS SELECT id, {sqlite_fold('company.name')} FROM company",
    "CREATE VIRTUAL TABLE company_name_fts USING fts5("
    "name, content='company_name_search', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER company_name_fts_insert AFTER INSERT ON company BEGIN "
    f"INSERT INTO company_name_fts (rowid, name) VALUES (new.id, {sqlite_fold('new.name')}); END",
    "CREATE TRIGGER company_name_fts_delete AFTER DELETE ON company BEGIN "
    "INSERT INTO company_name_fts (company_name_fts, rowid, name) "
    f"VALUES ('delete', old.id, {sqlite_fold('old.name')}); END",
    "CREATE TRIGGER company_name_fts_update AFTER UPDATE OF name ON company BEGIN "
    "INSERT INTO company_name_fts (company_name_fts, rowid, name) "
    f"VALUES ('delete', old.id, {sqlite_fold('old.name')}); "
    f"INSERT INTO company_name_fts (rowid, name) VALUES (new.id, {sqlite_fold('new.name')}); END",
)
# Migration 0003's search, as `down` puts it back.
SQLITE_PLAIN_SEARCH = (
    "CREATE VIRTUAL TABLE company_name_fts USING fts5("
    "name, content='company', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER company_name_fts_insert AFTER INSERT ON company BEGIN "
    "INSERT INTO company_name_fts (rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER company_name_fts_delete AFTER DELETE ON company BEGIN "
    "INSERT INTO company_name_fts (company_name_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER company_name_fts_update AFTER UPDATE OF name ON company BEGIN "
    "INSERT INTO company_name_fts (company_name_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO company_name_fts (rowid, name) VALUES (new.id, new.name); END",
)
REBUILD = "INSERT INTO company_name_fts (company_name_fts) VALUES ('rebuild')"

POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION crmctl_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    "AS $fold$ SELECT CASE WHEN octet_length($1) = char_length($1) THEN lower($1) "
    f"ELSE lower(translate($1, '{FOLD_FROM}', '{FOLD_TO}')) END $fold$"
)
POSTGRES_TRIGRAM_INDEX = "company_name_trgm"


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        for statement in SQLITE_OLD_SEARCH + SQLITE_FOLDED_SEARCH[:2]:
            db.execute_sql(statement)
        insert_rows(db, "crmctl_fold_map (c, f)", list(zip(FOLD_FROM, FOLD_TO)))
        insert_rows(db, "crmctl_fold_position (n)", [(n,) for n in range(1, NAME_LENGTH + 1)])
        for statement in SQLITE_FOLDED_SEARCH[2:] + (REBUILD,):
            db.execute_sql(statement)
    elif isinstance(db, PostgresqlDatabase):
        db.execute_sql(POSTGRES_FUNCTION)
        rebuild_trigram_index(db, "crmctl_fold(name)")


def insert_rows(db, table, rows, chunk=200):
    """Rows in statements of `chunk` rows (under SQLite's limit of bound parameters)."""
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        marks = ", ".join(["(" + ", ".join(["?"] * len(part[0])) + ")"] * len(part))
        db.execute_sql(f"INSERT INTO {table} VALUES {marks}", [value for row in part for value in row])


def rebuild_trigram_index(db, expression):
    """The name's pg_trgm index on `expression`, when pg_trgm is installed (0003 may have done without)."""
    db.execute_sql(f"DROP INDEX IF EXISTS {POSTGRES_TRIGRAM_INDEX}")
    if db.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone():
        db.execute_sql(f"CREATE INDEX {POSTGRES_TRIGRAM_INDEX} ON company USING gin ({expression} gin_trgm_ops)")


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for statement in SQLITE_OLD_SEARCH + ("DROP VIEW IF EXISTS company_name_search",
                                              "DROP TABLE IF EXISTS crmctl_fold_map",
                                              "DROP TABLE IF EXISTS crmctl_fold_position"):
            db.execute_sql(statement)
        for statement in SQLITE_PLAIN_SEARCH + (REBUILD,):
            db.execute_sql(statement)
    elif isinstance(db, PostgresqlDatabase):
        rebuild_trigram_index(db, "lower(name)")
        db.execute_sql("DROP FUNCTION IF EXISTS crmctl_fold(text)")
