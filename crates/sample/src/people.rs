//! People, organisations, addresses, phones and the free text that fills an export. Every
//! character here exists in Windows-1252, because Contacts.csv is written in it.

use crate::Rng;
use rand::Rng as _;

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Margaret",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Rebecca",
    "Jason",
    "Laura",
    "Edward",
    "Sharon",
    "Jeffrey",
    "Cynthia",
    "Ryan",
    "Kathleen",
    "Jacob",
    "Amy",
    "Gary",
    "Angela",
    "Nicholas",
    "Shirley",
    "Eric",
    "Anna",
    "Jonathan",
    "Brenda",
    "Stephen",
    "Pamela",
    "Larry",
    "Emma",
    "Justin",
    "Nicole",
    "Scott",
    "Helen",
    "Brandon",
    "Samantha",
    "Benjamin",
    "Katherine",
    "Samuel",
    "Christine",
    "Gregory",
    "Debra",
    "Alexander",
    "Rachel",
    "Frank",
    "Carolyn",
    "Patrick",
    "Janet",
    "Raymond",
    "Catherine",
    "Jack",
    "Maria",
    "Dennis",
    "Heather",
    "Jerry",
    "Diane",
    "Tyler",
    "Ruth",
    "Aaron",
    "Julie",
    "José",
    "Zoë",
    "Renée",
    "Chloé",
    "Inés",
    "André",
    "François",
    "Jürgen",
    "Søren",
    "Björn",
    "Noémie",
    "Agustín",
    "Máire",
    "Raúl",
    "Dolores",
    "Ángel",
    "Françoise",
    "Hélène",
    "Joël",
    "Anaïs",
    "Ximena",
    "Priya",
    "Wei",
    "Yuki",
    "Omar",
    "Fatima",
    "Kwame",
    "Aisha",
    "Mateo",
    "Sofía",
    "Lucía",
    "Tomás",
];

const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jiménez",
    "Müller",
    "Núñez",
    "García",
    "Peña",
    "O'Brien",
    "O'Connor",
    "Škoda",
    "Søndergaard",
    "Björk",
    "Lefèvre",
    "Dubois",
    "Gauthier",
    "Brontë",
    "Castaño",
    "Ibáñez",
    "Schäfer",
    "Weiß",
    "McAllister",
    "D'Angelo",
    "Van der Berg",
    "St. James",
];

// Syllables for made-up surnames: with many people, a small pool of real surnames would
// collide so often that "duplicates" would mostly be strangers sharing a name.
const SYL_A: &[&str] = &[
    "Ash", "Black", "Bram", "Brook", "Cald", "Carr", "Dun", "Ells", "Fair", "Fen", "Gar", "Glen",
    "Hal", "Hart", "Hol", "Kel", "Kirk", "Lang", "Lind", "Mar", "Mel", "Nor", "Oak", "Pem", "Quin",
    "Rad", "Red", "Rock", "Ros", "Sal", "Sher", "Stan", "Stock", "Thorn", "Tre", "Wal", "West",
    "Whit", "Win", "Wood", "Yar", "Ald", "Bel", "Cor", "Dal", "Eld", "Fal", "Gil", "Har", "Ives",
];
const SYL_B: &[&str] = &[
    "ford", "well", "ton", "ley", "wood", "field", "brook", "worth", "by", "ham", "mont", "ridge",
    "stead", "wick", "more", "dale", "combe", "hurst", "land", "shaw", "thorpe", "burn", "croft",
    "den", "gate", "holm", "ings", "law", "mere", "port",
];

const ORG_WORDS: &[&str] = &[
    "Logistics",
    "Holdings",
    "Partners",
    "Construction",
    "Medical Group",
    "Realty",
    "Insurance",
    "Manufacturing",
    "Capital",
    "Foods",
    "Transport",
    "Properties",
    "Consulting",
    "Dental",
    "Software",
    "Hospitality",
    "Energy",
    "Auto Body",
    "Trucking",
    "Pharmacy",
    "Roofing",
    "Landscaping",
    "Marine",
    "Textiles",
    "Brewing",
    "Bakery",
    "Clinic",
    "Imaging",
    "Labs",
    "Storage",
];
const ORG_FORMS: &[&str] = &[
    "LLC", "Inc.", "Inc", "Corp.", "Co.", "LLP", "Ltd.", "PLLC", "PC",
];

const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Park Pl",
    "Washington Blvd",
    "Lake Rd",
    "Hillside Ave",
    "Elm St",
    "River Rd",
    "Broadway",
    "Church St",
    "Sunset Blvd",
    "Market St",
    "Pine St",
    "2nd Ave",
    "Highland Ave",
    "Madison Ave",
    "Liberty St",
    "Chestnut St",
];

/// City, state, ZIP prefix and an area code used there.
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("New York", "NY", "100", "212"),
    ("Brooklyn", "NY", "112", "718"),
    ("Albany", "NY", "122", "518"),
    ("Newark", "NJ", "071", "973"),
    ("Boston", "MA", "021", "617"),
    ("Philadelphia", "PA", "191", "215"),
    ("Chicago", "IL", "606", "312"),
    ("Miami", "FL", "331", "305"),
    ("Atlanta", "GA", "303", "404"),
    ("Houston", "TX", "770", "713"),
    ("Dallas", "TX", "752", "214"),
    ("Denver", "CO", "802", "303"),
    ("Phoenix", "AZ", "850", "602"),
    ("Seattle", "WA", "981", "206"),
    ("San Francisco", "CA", "941", "415"),
    ("Los Angeles", "CA", "900", "213"),
    ("Washington", "DC", "200", "202"),
    ("Baltimore", "MD", "212", "410"),
];

const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "hotmail.com",
    "comcast.net",
    "protonmail.com",
];

pub(crate) const STAFF: &[&str] = &[
    "A. Whitfield",
    "B. Okafor",
    "C. Lindqvist",
    "D. Ramírez",
    "E. Novak",
    "F. Castellanos",
    "G. Hartley",
    "H. Nakamura",
    "J. Brennan",
    "K. Osei",
];

pub(crate) fn pick<'a, T: ?Sized>(rng: &mut Rng, items: &'a [&'a T]) -> &'a T {
    items[rng.gen_range(0..items.len())]
}

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub first: String,
    pub middle: String,
    pub last: String,
}

pub(crate) fn person(rng: &mut Rng, varied: bool) -> Person {
    let first = pick(rng, FIRST).to_string();
    let last = if varied && rng.gen_bool(0.85) {
        let mut s = format!("{}{}", pick(rng, SYL_A), pick(rng, SYL_B));
        if rng.gen_bool(0.5) {
            s = format!("{s}-{}", pick(rng, LAST));
        }
        s
    } else {
        pick(rng, LAST).to_string()
    };
    let middle = if rng.gen_bool(0.3) {
        let c = (b'A' + rng.gen_range(0..26u8)) as char;
        format!("{c}.")
    } else {
        String::new()
    };
    Person {
        first,
        middle,
        last,
    }
}

pub(crate) fn organisation(rng: &mut Rng) -> String {
    let base = format!("{}{}", pick(rng, SYL_A), pick(rng, SYL_B));
    let second = pick(rng, LAST);
    format!(
        "{base} {second} {} {}",
        pick(rng, ORG_WORDS),
        pick(rng, ORG_FORMS)
    )
}

#[derive(Debug, Clone)]
pub(crate) struct Address {
    pub line1: String,
    pub line2: String,
    pub city: &'static str,
    pub state: &'static str,
    pub zip: String,
    pub area_code: &'static str,
}

pub(crate) fn address(rng: &mut Rng) -> Address {
    let (city, state, zip3, area_code) = PLACES[rng.gen_range(0..PLACES.len())];
    let line2 = match rng.gen_range(0..10) {
        0 | 1 => format!("Apt {}", rng.gen_range(1..40)),
        2 => format!("Suite {}", rng.gen_range(100..2000)),
        _ => String::new(),
    };
    Address {
        line1: format!("{} {}", rng.gen_range(1..9999), pick(rng, STREETS)),
        line2,
        city,
        state,
        zip: format!("{zip3}{:02}", rng.gen_range(1..99)),
        area_code,
    }
}

/// A US number as three parts: area code, exchange, line.
#[derive(Debug, Clone)]
pub(crate) struct PhoneNumber {
    pub area: String,
    pub exchange: u16,
    pub line: u16,
}

pub(crate) fn phone(rng: &mut Rng, area: &str) -> PhoneNumber {
    // Exchanges 200-999 other than N11 service codes are assignable.
    let mut exchange = rng.gen_range(201..=999u16);
    if exchange % 100 == 11 {
        exchange += 1;
    }
    PhoneNumber {
        area: area.to_string(),
        exchange,
        line: rng.gen_range(0..=9999),
    }
}

impl PhoneNumber {
    /// The ways exports write one number; style picks one.
    pub fn format(&self, style: usize) -> String {
        let (a, e, l) = (&self.area, self.exchange, self.line);
        match style % 5 {
            0 => format!("({a}) {e}-{l:04}"),
            1 => format!("{a}.{e}.{l:04}"),
            2 => format!("{a}-{e}-{l:04}"),
            3 => format!("+1 {a} {e} {l:04}"),
            _ => format!("1-{a}-{e}-{l:04}"),
        }
    }
}

/// Folds a name to the ASCII letters people use in email addresses.
pub(crate) fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mapped = match c {
            'á' | 'à' | 'â' | 'ä' | 'å' | 'ã' => "a",
            'Á' | 'À' | 'Â' | 'Ä' | 'Å' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'É' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => "o",
            'ú' | 'ù' | 'û' | 'ü' => "u",
            'ñ' => "n",
            'ç' => "c",
            'ß' => "ss",
            'Š' | 'š' => "s",
            'Ł' | 'ł' => "l",
            c if c.is_ascii_alphanumeric() => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            _ => "",
        };
        out.push_str(mapped);
    }
    out
}

pub(crate) fn email_for(rng: &mut Rng, first: &str, last: &str) -> String {
    let f = ascii_fold(first);
    let l = ascii_fold(last);
    let local = match rng.gen_range(0..4) {
        0 => format!("{f}.{l}"),
        1 => format!("{}{l}", f.chars().next().unwrap_or('x')),
        2 => format!("{f}{l}{}", rng.gen_range(1..99)),
        _ => format!("{f}_{l}"),
    };
    format!("{local}@{}", pick(rng, DOMAINS))
}

pub(crate) fn org_email(rng: &mut Rng, org: &str) -> String {
    let words: Vec<String> = org
        .split(' ')
        .take(2)
        .map(ascii_fold)
        .filter(|w| !w.is_empty())
        .collect();
    let box_name = pick(rng, &["info", "office", "billing", "legal", "contact"]);
    format!("{box_name}@{}.com", words.join(""))
}

const PHRASES: &[&str] = &[
    "Client called re: status of the settlement offer",
    "Reviewed medical records, follow up with Dr. Alvarez's office",
    "Left voicemail; client to call back after 3 pm",
    "Drafted \"Motion to Compel\" and sent to partner for review",
    "Opposing counsel requested a 30-day extension, which we declined",
    "Received deposition transcript, 214 pages",
    "Prepared exhibits A, B and C for the hearing",
    "Discussed fee agreement, retainer and costs",
    "Client says the \"accident report\" is wrong about the time",
    "Scheduled mediation with Judge Carter (ret.)",
    "Sent records request to St. Mary's Hospital",
    "Research: statute of limitations, tolling, discovery rule",
    "Conference call with adjuster, no movement on the offer",
    "Reviewed lease, clauses 4.2, 7.1 and 12",
];

/// Free text for notes and descriptions; some of it has commas, quotes or line breaks, as
/// real notes do.
pub(crate) fn text(rng: &mut Rng) -> String {
    let first = pick(rng, PHRASES);
    match rng.gen_range(0..10) {
        0 => format!("{first}.\n{}.", pick(rng, PHRASES)),
        1 => format!(
            "{first}.\r\n\r\n- {}\n- {}",
            pick(rng, PHRASES),
            pick(rng, PHRASES)
        ),
        2 | 3 => format!("{first}, {}.", pick(rng, PHRASES).to_lowercase()),
        _ => format!("{first}."),
    }
}

pub(crate) fn staff(rng: &mut Rng) -> &'static str {
    pick(rng, STAFF)
}
