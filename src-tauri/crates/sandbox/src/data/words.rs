//! Word lists for made-up but plausible demo data. Names of people and
//! companies are common words combined at random; places are real cities
//! with their real state and a postal code of that region.

pub const GIVEN_NAMES: &[&str] = &[
    "Robert", "Maria", "James", "Linda", "Michael", "Sofia", "David", "Emma", "Daniel", "Olivia",
    "Thomas", "Hannah", "Ahmed", "Yuki", "Carlos", "Anna", "Peter", "Grace", "Lukas", "Chloe",
    "Ravi", "Elena", "Samuel", "Ines", "Noah", "Freya", "Omar", "Julia", "Ethan", "Mei",
];

pub const SURNAMES: &[&str] = &[
    "Townes",
    "Garcia",
    "Miller",
    "Andersen",
    "Okafor",
    "Nakamura",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Johansson",
    "Patel",
    "Murphy",
    "Novak",
    "Silva",
    "Chen",
    "Fischer",
    "Laine",
    "Bianchi",
    "Walker",
    "Hughes",
    "Moreau",
    "Jensen",
    "Costa",
    "Brooks",
    "Kim",
    "Haddad",
    "Berg",
];

pub const COMPANY_FIRST: &[&str] = &[
    "Adatum",
    "Trey",
    "Fabrikam",
    "Litware",
    "Northwind",
    "Tailspin",
    "Wingtip",
    "Proseware",
    "Alpine",
    "Coho",
    "Relecloud",
    "Woodgrove",
    "Lamna",
    "Margie's",
    "Bellows",
    "Graphic",
    "Humongous",
    "Lucerne",
    "Southridge",
    "Wide World",
    "Blue Yonder",
    "Consolidated",
    "Fourth",
    "Nod",
    "School of Fine",
    "Contoso",
];

pub const COMPANY_TRADE: &[&str] = &[
    "Research",
    "Logistics",
    "Furniture",
    "Trading",
    "Imports",
    "Supplies",
    "Design",
    "Interiors",
    "Office Systems",
    "Holdings",
    "Outfitters",
    "Wholesale",
    "Engineering",
    "Retail",
    "Industries",
];

pub const COMPANY_FORM: &[&str] = &["Inc.", "Ltd.", "Corporation", "GmbH", "LLC", "A/S", "Group"];

pub const STREETS: &[&str] = &[
    "Market Square",
    "Oak Avenue",
    "Harbor Road",
    "Station Street",
    "Park Lane",
    "Mill Road",
    "Church Street",
    "Lake Drive",
    "Elm Street",
    "Hillside Avenue",
    "River Road",
    "King Street",
];

pub struct Place {
    pub city: &'static str,
    pub state: &'static str,
    pub postal_code: &'static str,
    pub country: &'static str,
}

const fn place(
    city: &'static str,
    state: &'static str,
    postal_code: &'static str,
    country: &'static str,
) -> Place {
    Place {
        city,
        state,
        postal_code,
        country,
    }
}

pub const PLACES: &[Place] = &[
    place("Atlanta", "GA", "31772", "US"),
    place("Chicago", "IL", "61236", "US"),
    place("Miami", "FL", "37125", "US"),
    place("Seattle", "WA", "98101", "US"),
    place("Boston", "MA", "02108", "US"),
    place("Denver", "CO", "80202", "US"),
    place("Austin", "TX", "73301", "US"),
    place("Portland", "OR", "97201", "US"),
    place("Toronto", "ON", "M5H 2N2", "CA"),
    place("London", "", "EC1A 1BB", "GB"),
    place("Manchester", "", "M1 1AE", "GB"),
    place("Copenhagen", "", "1050", "DK"),
    place("Munich", "", "80331", "DE"),
    place("Amsterdam", "", "1012 JS", "NL"),
    place("Lyon", "", "69001", "FR"),
];

pub const ITEM_SERIES: &[&str] = &[
    "Amsterdam",
    "Athens",
    "Berlin",
    "London",
    "Paris",
    "Rome",
    "Antwerp",
    "Munich",
    "Moscow",
    "Seoul",
    "Sydney",
    "Tokyo",
    "Mexico",
    "Chicago",
    "Atlanta",
];

pub const ITEM_THINGS: &[&str] = &[
    "Desk",
    "Lamp",
    "Guest Chair",
    "Swivel Chair",
    "Whiteboard",
    "Conference Table",
    "Storage Unit",
    "Bicycle",
    "Speaker",
    "Filing Cabinet",
    "Bookcase",
    "Monitor Arm",
];

pub const ITEM_COLOURS: &[&str] = &["black", "white", "red", "blue", "green", "yellow", "grey"];

pub const JOB_TITLES: &[&str] = &[
    "Accountant",
    "Sales Manager",
    "Warehouse Worker",
    "Purchasing Agent",
    "Bookkeeper",
    "Controller",
    "Production Planner",
    "Designer",
    "Managing Director",
    "Marketing Coordinator",
];

/// (code, name, symbol): the currency table of a US company.
pub const CURRENCIES: &[(&str, &str, &str)] = &[
    ("CAD", "Canadian dollar", "$"),
    ("DKK", "Danish krone", "kr"),
    ("EUR", "Euro", "€"),
    ("GBP", "Pound Sterling", "£"),
    ("JPY", "Japanese yen", "¥"),
    ("MXN", "Mexican peso", "$"),
    ("NOK", "Norwegian krone", "kr"),
    ("SEK", "Swedish krona", "kr"),
];

/// (code, name, due date formula): standard payment terms.
pub const PAYMENT_TERMS: &[(&str, &str, &str)] = &[
    ("1M(8D)", "1 Month/2% 8 days", "1M"),
    ("14 DAYS", "Net 14 days", "14D"),
    ("21 DAYS", "Net 21 days", "21D"),
    ("30 DAYS", "Net 30 days", "30D"),
    ("60 DAYS", "Net 60 days", "60D"),
    ("7 DAYS", "Net 7 days", "7D"),
    ("CM", "Current month", "CM"),
    ("COD", "Cash on delivery", "0D"),
];

/// (number, name, category): a small chart of accounts.
pub const ACCOUNT_NAMES: &[(&str, &str, &str)] = &[
    ("10100", "Checking account", "Assets"),
    ("10200", "Savings account", "Assets"),
    ("10400", "Petty cash", "Assets"),
    ("10500", "Accounts Receivable", "Assets"),
    ("12100", "Inventory", "Assets"),
    ("13100", "Prepaid rent", "Assets"),
    ("16100", "Office equipment", "Assets"),
    ("20100", "Accounts Payable", "Liabilities"),
    ("22100", "Sales tax payable", "Liabilities"),
    ("23100", "Payroll liabilities", "Liabilities"),
    ("30100", "Common stock", "Equity"),
    ("30300", "Retained earnings", "Equity"),
    ("40100", "Sales, retail", "Income"),
    ("40200", "Sales, wholesale", "Income"),
    ("40400", "Sales, services", "Income"),
    (
        "50100",
        "Cost of materials",
        "Cost_x0020_of_x0020_Goods_x0020_Sold",
    ),
    (
        "50200",
        "Cost of labor",
        "Cost_x0020_of_x0020_Goods_x0020_Sold",
    ),
    ("60100", "Rent expense", "Expense"),
    ("60200", "Electricity", "Expense"),
    ("60300", "Phone and internet", "Expense"),
    ("60400", "Office supplies", "Expense"),
    ("60500", "Travel", "Expense"),
    ("61100", "Salaries", "Expense"),
    ("62100", "Advertising", "Expense"),
];
