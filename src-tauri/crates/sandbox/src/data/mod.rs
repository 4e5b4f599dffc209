//! Deterministic demo data: every row is a pure function of (collection,
//! index), so a 100,000-row table costs no memory until a page is served
//! and every run of every test sees the same rows.

mod words;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use words::{Place, ACCOUNT_NAMES, CURRENCIES, PAYMENT_TERMS};

/// How much data the world holds: `small` for tests and demos, `large`
/// for performance work (100,000 Business Central customers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    #[default]
    Small,
    Large,
}

/// SplitMix64. Hand-rolled on purpose: `rand`'s generators do not promise
/// the same stream across versions, and a row must look the same forever.
pub struct Seq(u64);

impl Seq {
    pub fn new(seed: u64) -> Seq {
        Seq(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; 0 gives 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A money amount with two decimals in `min..max`.
    pub fn money(&mut self, min: u64, max: u64) -> f64 {
        let cents = min * 100 + self.next_u64() % ((max - min).max(1) * 100);
        cents as f64 / 100.0
    }
}

/// A stable 64-bit seed from names (FNV-1a).
pub fn seed_of(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The row IDs of one collection. Business Central SystemIds of a company
/// share their last 96 bits and differ in the first 32 (fixtures
/// bc/amplabs_read_customers_1-first-page.json: `55e545bc-f6f9-ef11-…`,
/// `5de545bc-f6f9-ef11-…`); ours do the same, so an ID maps back to its
/// row index without a lookup table.
#[derive(Debug, Clone, Copy)]
pub struct IdSpace {
    tail: u128,
    mask: u32,
}

impl IdSpace {
    pub fn new(seed: u64) -> IdSpace {
        let mut seq = Seq::new(seed);
        let tail =
            (u128::from(seq.next_u64()) << 32 | u128::from(seq.next_u64() as u32)) & TAIL_BITS;
        IdSpace {
            tail,
            mask: seq.next_u64() as u32,
        }
    }

    pub fn id(&self, index: usize) -> Uuid {
        let head = (index as u32) ^ self.mask;
        Uuid::from_u128(u128::from(head) << 96 | self.tail)
    }

    /// The index an ID of this space was made from.
    pub fn index(&self, id: Uuid) -> Option<usize> {
        let value = id.as_u128();
        (value & TAIL_BITS == self.tail).then_some(((value >> 96) as u32 ^ self.mask) as usize)
    }
}

const TAIL_BITS: u128 = (1u128 << 96) - 1;

/// A made-up person.
pub struct Person {
    pub given: &'static str,
    pub surname: &'static str,
}

impl Person {
    pub fn random(seq: &mut Seq) -> Person {
        Person {
            given: seq.pick(words::GIVEN_NAMES).copied().unwrap_or("Alex"),
            surname: seq.pick(words::SURNAMES).copied().unwrap_or("Smith"),
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.given, self.surname)
    }

    pub fn email(&self, domain: &str) -> String {
        format!(
            "{}.{}@{domain}",
            self.given.to_ascii_lowercase(),
            self.surname.to_ascii_lowercase()
        )
    }
}

/// A made-up organisation name ("Fabrikam Logistics Ltd.").
pub fn company_name(seq: &mut Seq) -> String {
    let first = seq.pick(words::COMPANY_FIRST).copied().unwrap_or("Contoso");
    let trade = seq
        .pick(words::COMPANY_TRADE)
        .copied()
        .unwrap_or("Supplies");
    let form = seq.pick(words::COMPANY_FORM).copied().unwrap_or("Inc.");
    format!("{first} {trade} {form}")
}

/// The web domain of a company name: `fabrikamlogistics.example`.
pub fn domain_of(name: &str) -> String {
    let words: String = name
        .split_whitespace()
        .take(2)
        .flat_map(|w| w.chars().filter(char::is_ascii_alphanumeric))
        .collect();
    format!("{}.example", words.to_ascii_lowercase())
}

pub struct Address {
    pub line1: String,
    pub place: &'static Place,
}

impl Address {
    pub fn random(seq: &mut Seq) -> Address {
        let street = seq.pick(words::STREETS).copied().unwrap_or("Main Street");
        let number = 1 + seq.below(999);
        Address {
            line1: format!("{number} {street}"),
            place: seq.pick(words::PLACES).unwrap_or(&words::PLACES[0]),
        }
    }
}

/// A phone number in the reserved 555-01xx range, never a real one.
pub fn phone(seq: &mut Seq) -> String {
    format!("+1 {:03} 555 01{:02}", 200 + seq.below(700), seq.below(100))
}

/// An item description: "Amsterdam Lamp", "Berlin Guest Chair, yellow".
pub fn item_name(seq: &mut Seq) -> String {
    let series = seq.pick(words::ITEM_SERIES).copied().unwrap_or("London");
    let thing = seq.pick(words::ITEM_THINGS).copied().unwrap_or("Desk");
    match seq.pick(words::ITEM_COLOURS) {
        Some(colour) if seq.chance(40) => format!("{series} {thing}, {colour}"),
        _ => format!("{series} {thing}"),
    }
}

pub fn job_title(seq: &mut Seq) -> &'static str {
    seq.pick(words::JOB_TITLES).copied().unwrap_or("Accountant")
}

/// A calendar date as `Edm.Date`, `days` after 2020-01-01.
pub fn date(days: usize) -> String {
    let start = time::macros::date!(2020 - 01 - 01);
    let day = start
        .checked_add(time::Duration::days(days as i64))
        .unwrap_or(start);
    format!("{day}")
}

/// An `Edm.DateTimeOffset` in the BC shape (`2025-03-05T19:19:22.273Z`).
pub fn timestamp(seq: &mut Seq) -> String {
    let day = date(1800 + seq.below(700));
    format!(
        "{day}T{:02}:{:02}:{:02}.{:03}Z",
        seq.below(24),
        seq.below(60),
        seq.below(60),
        seq.below(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_back_to_their_index_and_not_across_spaces() {
        let a = IdSpace::new(seed_of(&["bc", "customers"]));
        let b = IdSpace::new(seed_of(&["bc", "vendors"]));
        for i in [0, 1, 19_999, 99_999] {
            assert_eq!(a.index(a.id(i)), Some(i));
            assert_eq!(b.index(a.id(i)), None);
        }
        assert_ne!(a.id(0), a.id(1));
    }

    #[test]
    fn sequences_are_stable_forever() {
        // Pinned values: a change here changes every generated row.
        let mut seq = Seq::new(seed_of(&["cronus"]));
        assert_eq!(seq.next_u64(), Seq::new(seed_of(&["cronus"])).next_u64());
        assert_eq!(seed_of(&["a", "b"]), seed_of(&["a", "b"]));
        assert_ne!(seed_of(&["ab"]), seed_of(&["a", "b"]));
        assert_eq!(Seq::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn values_look_real() {
        let mut seq = Seq::new(7);
        let p = Person::random(&mut seq);
        assert!(p.email("contoso.example").ends_with("@contoso.example"));
        assert_eq!(
            domain_of("Fabrikam Logistics Ltd."),
            "fabrikamlogistics.example"
        );
        assert_eq!(date(0), "2020-01-01");
        assert_eq!(date(366), "2021-01-01");
        let money = seq.money(10, 20);
        assert!((10.0..20.0).contains(&money));
        assert_eq!((money * 100.0).round() / 100.0, money);
    }
}
