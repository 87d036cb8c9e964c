"""The one case and accent fold that `~` filters and `--search` compare in, the same on every backend.

fold(text) maps each character of FOLD_FROM to the one at the same place in
FOLD_TO (an accented or stroked letter to its base letter, "Ł" and "ł" to "l",
"É" to "e", an upper-case Greek or Cyrillic letter to its lower case), then
lower-cases the rest. The table is the equivalence that MariaDB's
utf8mb4_unicode_520_ci collation draws between single letters of the Latin,
Greek and Cyrillic blocks (checked letter by letter against the server), so:

- MariaDB/MySQL compare the column under that collation (`folded`),
- PostgreSQL calls `crmctl_fold(text)`, lower(translate(...)) over this table,
  created by migration 0008 with the trigram index on the folded name,
- SQLite calls `crmctl_fold`, this module's `fold`, registered on every
  connection (`crmctl.storage.connection`); its FTS5 name index holds the
  names folded through the same table (migration 0008).

The mapping is one character to one, so a folded text is as long as the
original and a LIKE pattern means the same on both. Migration 0008 holds a
frozen copy of these two strings: a change here needs a new migration.
"""
import peewee

from crmctl.storage.connection import database_proxy

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

MARIADB_FOLDING_COLLATION = "utf8mb4_unicode_520_ci"
SQL_FUNCTION = "crmctl_fold"

_table = None


def fold(text):
    """The folded text: "Łódź Électricité" -> "lodz electricite"; None stays None."""
    global _table
    if text is None:
        return None
    if _table is None:
        _table = str.maketrans(FOLD_FROM, FOLD_TO)
    text = str(text)
    return (text if text.isascii() else text.translate(_table)).lower()


def folded(column):
    """`column` as the database compares it folded: LIKE against a `fold`ed pattern finds what fold would."""
    database = database_proxy.obj
    if isinstance(database, peewee.MySQLDatabase):
        converted = peewee.NodeList((peewee.SQL("CONVERT("), column, peewee.SQL(" USING utf8mb4)")), glue="")
        return peewee.NodeList((converted, peewee.SQL(f"COLLATE {MARIADB_FOLDING_COLLATION}")))
    return getattr(peewee.fn, SQL_FUNCTION)(column)


def contains_folded(column, needle):
    """Case and accent blind substring match of an already folded needle (wildcards in it escaped)."""
    return folded(column).contains(needle)
