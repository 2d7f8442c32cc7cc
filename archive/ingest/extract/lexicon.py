"""Every vocabulary the extractors read, in one place.

The rules in the sibling modules are generic; what they recognise is listed here, so that
adding an organization, a role word or a demand verb never means touching a rule.
Canonical names are the ones written to the JSON output (and to the labelled test set).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Org:
    """A known organization (or one of its bodies, when `parent` is set)."""

    name: str  # canonical full name, as output
    acronym: str = ""
    aliases: tuple[str, ...] = ()  # other spellings, in any language (matched case-sensitively)
    parent: str = ""  # for a body: canonical name of the organization it belongs to
    kind: str = "org"  # "org" | "body" | "office" (an office is a person-like addressee)


# Organizations seen in communiqués. Aliases are matched as whole words, longest first, so
# "Peace and Security Council" wins over "Security Council" inside it.
ORGANIZATIONS: tuple[Org, ...] = (
    Org(
        "Syrian Opposition Coalition",
        "SOC",
        (
            "National Coalition of Syrian Revolution and Opposition Forces",
            "Syrian National Coalition",
            "الائتلاف الوطني لقوى الثورة والمعارضة السورية",
            "الائتلاف الوطني السوري",
            "Coalition nationale syrienne",
        ),
    ),
    Org("Syrian Interim Government", "SIG", ("الحكومة السورية المؤقتة",)),
    Org(
        "Syrian Negotiations Commission",
        "SNC",
        (
            "Syrian Negotiation Commission",
            "هيئة التفاوض السورية",
            "Commission syrienne de négociation",
        ),
    ),
    Org("Assistance Coordination Unit", "ACU", ("وحدة تنسيق الدعم",)),
    Org(
        "Syrian Civil Defense", "", ("Civil Defense", "Syria Civil Defence", "الدفاع المدني السوري")
    ),
    Org("Political Body in Idlib", "", ("الهيئة السياسية في إدلب",)),
    Org("Syrian National Army", "SNA", ("الجيش الوطني السوري",)),
    Org(
        "UN Security Council",
        "UNSC",
        (
            "United Nations Security Council",
            "Security Council",
            "Conseil de sécurité des Nations unies",
            "Conseil de sécurité",
            "مجلس الأمن الدولي",
            "مجلس الأمن",
        ),
    ),
    Org(
        "UN General Assembly",
        "UNGA",
        ("United Nations General Assembly", "Assemblée générale des Nations unies"),
    ),
    Org(
        "United Nations",
        "UN",
        (
            "Nations unies",
            "Nations Unies",
            "Organisation des Nations unies",
            "ONU",
            "الأمم المتحدة",
        ),
    ),
    Org(
        "UN Secretary-General",
        "",
        (
            "Secretary-General of the United Nations",
            "United Nations Secretary-General",
            "Secrétaire général de l’ONU",
            "الأمين العام للأمم المتحدة",
        ),
        kind="office",
    ),
    Org(
        "UN Special Envoy for Syria",
        "",
        (
            "UN Special Envoy to Syria",
            "Special Envoy to Syria",
            "Special Envoy for Syria",
            "المبعوث الأممي إلى سوريا",
            "المبعوث الخاص إلى سوريا",
        ),
        kind="office",
    ),
    Org("Arab League", "", ("League of Arab States", "Ligue arabe", "جامعة الدول العربية")),
    Org("African Union", "AU", ("Union africaine", "Union Africaine", "الاتحاد الأفريقي")),
    Org("African Union Commission", "", ("AU Commission",), parent="African Union", kind="body"),
    Org(
        "Peace and Security Council",
        "PSC",
        ("Conseil de paix et de sécurité", "مجلس السلم والأمن"),
        parent="African Union",
        kind="body",
    ),
    Org(
        "North Atlantic Treaty Organization",
        "NATO",
        ("North Atlantic Alliance", "OTAN", "Organisation du traité de l’Atlantique nord"),
    ),
    Org(
        "North Atlantic Council", "", ("Conseil de l’Atlantique nord",), parent="NATO", kind="body"
    ),
    Org("Group of Seven", "G7", ("G-7", "Groupe des Sept")),
    Org("Group of Twenty", "G20", ("G-20",)),
    Org("European Union", "EU", ("Union européenne", "الاتحاد الأوروبي")),
    Org("Council of the European Union", "", ("Conseil de l’Union européenne",), kind="body"),
    Org(
        "Gulf Cooperation Council",
        "GCC",
        ("Cooperation Council for the Arab States of the Gulf", "مجلس التعاون لدول الخليج العربية"),
    ),
    Org(
        "Organisation of Islamic Cooperation",
        "OIC",
        ("Organization of Islamic Cooperation", "منظمة التعاون الإسلامي"),
    ),
    Org("Inter-Governmental Authority on Development", "IGAD", ()),
    Org("Economic Community of West African States", "ECOWAS", ("CEDEAO",)),
    # The "pays du champ" (Algeria, Mali, Mauritania, Niger) coordinate on Sahel security.
    Org("Field Countries", "", ("pays du champ",)),
)

# Bodies that may head a communiqué without naming their organization ("General Assembly"
# under "Syrian Opposition Coalition"). Also the Arabic issuing offices seen in headers.
GENERIC_BODIES: frozenset[str] = frozenset(
    {
        "General Assembly",
        "Political Committee",
        "Presidential Body",
        "Political Body",
        "Media Office",
        "Ministerial Council",
        "Supreme Council",
        "الهيئة العامة",
        "الهيئة السياسية",
        "الناطق الرسمي",
        "المكتب الإعلامي",
        "المكتب الرئاسي",
        "دائرة الإعلام والاتصال",
    }
)

# "the Council" / "the Commission": a bare head noun refers back to the last organization
# mentioned whose canonical name ends with it ("He called on the Council" after "UN Security
# Council").
COREFERENT_HEADS: tuple[str, ...] = ("Council", "Commission", "Coalition", "Union", "League")

# Collective addressees: phrase (lower case) -> canonical name.
COLLECTIVE_ADDRESSEES: dict[str, str] = {
    "international community": "International community",
    "communauté internationale": "International community",
    "المجتمع الدولي": "International community",
    "all states": "All States",
    "all member states": "All member States",
    "tous les états": "All States",
    "all parties": "All parties",
    "toutes les parties": "All parties",
    "كافة الأطراف": "All parties",
    "جميع الأطراف": "All parties",
    "friendly countries": "Friendly countries",
    "الدول الصديقة": "Friendly countries",
}

# Words that open a job title. A comma-separated chunk starting with one of them (after an
# article) is a role: "Head of the Syrian Interim Government", "le ministre des ...".
ROLE_WORDS: tuple[str, ...] = (
    # English
    "President",
    "Vice-President",
    "Vice President",
    "Head",
    "Chair",
    "Chairperson",
    "Chairman",
    "Co-chair",
    "Minister",
    "Foreign Minister",
    "Prime Minister",
    "Executive Director",
    "Director",
    "Director-General",
    "Secretary-General",
    "Secretary General",
    "Deputy",
    "Special Envoy",
    "Special Representative",
    "Ambassador",
    "Member",
    "Spokesperson",
    "Commissioner",
    "Governor",
    "Representative",
    "Council President",
    "National Security Adviser",
    # French
    "ministre",
    "Ministre",
    "président",
    "Président",
    "secrétaire général",
    "Secrétaire général",
    "ambassadeur",
    "Ambassadeur",
    "représentant spécial",
    "Représentant spécial",
    "envoyé spécial",
    "Envoyé spécial",
    "directeur exécutif",
    "Directeur exécutif",
    "chef",
    "Chef",
)

# Military and diplomatic ranks: kept apart from the role ("Brigadier General Hassan Hamadeh").
RANKS: tuple[str, ...] = (
    "Brigadier General",
    "Major General",
    "Lieutenant General",
    "General",
    "Colonel",
    "Lieutenant Colonel",
    "Major",
    "Captain",
    "Admiral",
    "Ambassador",
    "Général",
    "Colonel",
)

# Honorifics dropped from names; they also announce a name ("M. Mohamed Bazoum").
HONORIFICS: tuple[str, ...] = (
    "H.E.",
    "HE",
    "Mr.",
    "Mr",
    "Mrs.",
    "Mrs",
    "Ms.",
    "Ms",
    "Dr.",
    "Dr",
    "M.",
    "Mme",
    "Mme.",
    "Sheikh",
    "S.E.",
)

# Particles allowed inside a personal name ("Hamady Ould Hamady", "Hadi Al-Bahra").
NAME_PARTICLES: frozenset[str] = frozenset(
    {"Ould", "bin", "ibn", "bint", "al", "Al", "el", "El", "de", "du", "van", "von", "abu", "Abu"}
)

# Sentence cues that the names in it are participants even without a role apposition.
PARTICIPATION_CUES: tuple[str, ...] = (
    "participating in",
    "in attendance",
    "attended by",
    "participation of",
    "in the presence of",
    "chaired by",
    "presided over by",
    "made by",
    "delivered by",
    "issued today by",
    "issued by",
    "ont participé",
    "en présence de",
    "sous la présidence de",
    "بمشاركة",
    "بحضور",
    "برئاسة",
)

# Demand verbs, per language: the surface forms that introduce a call on an addressee.
DEMAND_VERBS: dict[str, tuple[str, ...]] = {
    "en": (
        "appealed to",
        "appeals to",
        "appeal to",
        "called on",
        "called upon",
        "calls on",
        "calls upon",
        "call on",
        "call upon",
        "called for",
        "calls for",
        "call for",
        "urged",
        "urges",
        "urge",
        "demanded",
        "demands that",
        "demand that",
        "requested",
        "requests",
        "invited",
        "invites",
        "exhorted",
        "exhorts",
    ),
    "fr": (
        "appelle",
        "appelons",
        "appellent",
        "appelé",
        "exhorte",
        "exhortons",
        "exhortent",
        "demande",
        "demandons",
        "demandent",
        "invite",
        "invitons",
        "invitent",
        "engage",
        "engageons",
        "engagent",
        "exige",
        "exigeons",
        "exigent",
        "exigé",
    ),
    "ar": (
        "يدعو",
        "تدعو",
        "يطالب",
        "تطالب",
        "يناشد",
        "تناشد",
        "دعا",
        "دعت",
        "طالب",
        "طالبت",
        "ناشد",
        "ناشدت",
        "يحث",
        "تحث",
        "حث",
        "حثت",
    ),
}

# Verbs that report a statement; used to name the verb of a demand found by another cue
# ("He emphasized the urgent need ... This call ...").
REPORTING_VERBS: tuple[str, ...] = (
    "emphasized",
    "stressed",
    "underlined",
    "underscored",
    "reaffirmed",
    "affirmed",
    "noted",
    "insisted",
    "highlighted",
    "reiterated",
)

# "This call came ..." refers back to the previous sentence as a demand.
BACK_REFERENCE_TO_CALL: tuple[str, ...] = ("This call", "This appeal", "These calls", "This demand")

# Month names that dateparser does not know: the Levantine (Syriac) calendar names used in
# Syria, Lebanon, Iraq and Jordan, with and without the article.
LEVANTINE_MONTHS: dict[str, int] = {
    "كانون الثاني": 1,
    "كانون ثاني": 1,
    "شباط": 2,
    "آذار": 3,
    "اذار": 3,
    "نيسان": 4,
    "أيار": 5,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "آب": 8,
    "اب": 8,
    "أيلول": 9,
    "ايلول": 9,
    "تشرين الأول": 10,
    "تشرين أول": 10,
    "تشرين الاول": 10,
    "تشرين اول": 10,
    "تشرين الثاني": 11,
    "تشرين ثاني": 11,
    "كانون الأول": 12,
    "كانون أول": 12,
    "كانون الاول": 12,
    "كانون اول": 12,
}

# Weekday words, for "met on Monday" relative to the header date (Monday = 0).
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
    "الاثنين": 0,
    "الإثنين": 0,
    "الثلاثاء": 1,
    "الأربعاء": 2,
    "الاربعاء": 2,
    "الخميس": 3,
    "الجمعة": 4,
    "السبت": 5,
    "الأحد": 6,
    "الاحد": 6,
}

# Words that say a meeting took place; a place or date right after them is the meeting's.
MEETING_WORDS: tuple[str, ...] = (
    "met",
    "meeting",
    "convened",
    "held",
    "gathered",
    "summit",
    "session",
    "réunis",
    "réuni",
    "réunion",
    "tenue",
    "عقد",
    "عقدت",
    "اجتماع",
    "اجتماعها",
    "اجتماعه",
)


@dataclass(frozen=True)
class PlaceRules:
    """Curated exceptions for the gazetteer lookup."""

    # Capitalised English words that are also city names in GeoNames (>= 15,000 people).
    stop_words: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {
                "March",
                "May",
                "Mobile",
                "Police",
                "Split",
                "Nice",
                "Reading",
                "Bath",
                "Orange",
                "Independence",
                "Union",
                "Progress",
                "Victoria",
                "Of",
                "Male",
                "Rest",
                "Hope",
                "Liberty",
                "Concord",
                "Commerce",
                "Federal",
                "Unity",
                "Justice",
                "Freedom",
                "Enterprise",
                "Deal",
                "Sale",
                "Marks",
                "Alliance",
                "Council",
                "Assembly",
                "Republic",
                "Hassan",
                "Mustafa",
                "Badr",
                "Hadi",
                "Ahmed",
                "Salem",
                "Lincoln",
                "Taking",
                "Recalling",
                "Further",
                "Before",
                "Both",
                "Regarding",
                "Santa",
                "Nous",
                "Tous",
                "Toute",
                "Les",
                "Ils",
                "Avec",
            }
        )
    )
    # Words after a place name that make the whole a name of something else ("Astana group",
    # "Paris Agreement", "Washington Treaty"), or before it in Arabic ("بيان جنيف").
    non_place_heads: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {
                "group",
                "process",
                "format",
                "talks",
                "agreement",
                "accord",
                "declaration",
                "communiqué",
                "treaty",
                "Agreement",
                "Treaty",
                "Declaration",
                "Summit",
                "Transition",
                "Process",
                "Group",
                "Communiqué",
                "Plan",
            }
        )
    )
    # Country names the gazetteer spells formally or not at all, in French and Arabic.
    country_aliases: dict[str, str] = field(
        default_factory=lambda: {
            "Russie": "RU",
            "Syrie": "SY",
            "Iran": "IR",
            "Türkiye": "TR",
            "Turkiye": "TR",
            "Palestine": "PS",
            "Corée du Sud": "KR",
            "États-Unis": "US",
            "Etats-Unis": "US",
            "سوريا": "SY",
            "سورية": "SY",
            "روسيا": "RU",
            "تركيا": "TR",
            "فلسطين": "PS",
            "إيران": "IR",
            "لبنان": "LB",
            "العراق": "IQ",
            "الأردن": "JO",
            "مصر": "EG",
            "إسرائيل": "IL",
            "الولايات المتحدة": "US",
            "المملكة المتحدة": "GB",
            "فرنسا": "FR",
            "ألمانيا": "DE",
        }
    )
    # Arabic words that equal a city's Arabic alternate name but are common words.
    arabic_stop_words: frozenset[str] = field(
        default_factory=lambda: frozenset({"رم", "عمر", "الأمن", "السلام", "حماة", "صور"})
    )


PLACE_RULES = PlaceRules()

# Abbreviations whose final period does not end a sentence.
ABBREVIATIONS: tuple[str, ...] = (
    "H.E.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "M.",
    "Mme.",
    "St.",
    "No.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Jun.",
    "Jul.",
    "Aug.",
    "Sep.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
    "U.S.",
    "U.N.",
    "S.E.",
    "e.g.",
    "i.e.",
)
