//! Readable labels for names made for programs. BC's and F&O's `$metadata`
//! carries no display names, so `salesInvoices` is shown as "Sales invoices".

use std::borrow::Cow;

/// `salesInvoices` → "Sales invoices", `CustomersV3` → "Customers V3",
/// `WHSAllocationHeaders` → "WHS allocation headers", `dataAreaId` →
/// "Data area ID".
pub fn from_name(name: &str) -> String {
    let decoded = decode_xml_name(name);
    let mut label = String::with_capacity(decoded.len() + 4);
    for word in words(&decoded) {
        if !label.is_empty() {
            label.push(' ');
        }
        push_word(&mut label, word);
    }
    capitalise_first(&mut label);
    label
}

/// CSDL names spell characters a name may not hold as `_xHHHH_` (BC's enum
/// member `Sales_x0020_Order` is "Sales Order"; `_x0020_` alone is blank).
pub fn decode_xml_name(name: &str) -> Cow<'_, str> {
    if !name.contains("_x") {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let escape = rest[at + 2..]
            .get(..5)
            .filter(|s| s.ends_with('_'))
            .and_then(|s| u32::from_str_radix(&s[..4], 16).ok())
            .and_then(char::from_u32);
        match escape {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Splits at separators and at case changes: `dataAreaId` → data|Area|Id,
/// `WHSAllocation` → WHS|Allocation, `addressLine1` → address|Line|1, while
/// `V3` stays one word. Allocates nothing: F&O has ~400,000 properties.
fn words(name: &str) -> impl Iterator<Item = &str> {
    let mut chars = name.char_indices().peekable();
    let mut prev: Option<char> = None;
    let mut start: Option<usize> = None;
    std::iter::from_fn(move || {
        while let Some((at, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            let boundary = match prev.replace(c) {
                _ if c == '_' || c.is_whitespace() => {
                    if let Some(s) = start.take() {
                        return Some(&name[s..at]);
                    }
                    continue;
                }
                Some(p) if c.is_uppercase() => {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
                }
                Some(p) => c.is_ascii_digit() && p.is_lowercase(),
                None => false,
            };
            match start {
                Some(s) if boundary => {
                    start = Some(at);
                    return Some(&name[s..at]);
                }
                None => start = Some(at),
                Some(_) => {}
            }
        }
        start.take().map(|s| &name[s..])
    })
}

/// Acronyms (`WHS`, `V3`) keep their case; `Id` reads as "ID"; other words
/// are lower case, as in a sentence.
fn push_word(label: &mut String, word: &str) {
    let has_lower = word.chars().any(char::is_lowercase);
    let upper_letters = word.chars().filter(|c| c.is_uppercase()).count();
    if word.eq_ignore_ascii_case("id") {
        label.push_str("ID");
    } else if !has_lower && (upper_letters > 1 || word.chars().any(|c| c.is_ascii_digit())) {
        label.push_str(word);
    } else if word.is_ascii() {
        let start = label.len();
        label.push_str(word);
        label[start..].make_ascii_lowercase();
    } else {
        label.extend(word.chars().flat_map(char::to_lowercase));
    }
}

fn capitalise_first(label: &mut String) {
    match label.chars().next() {
        Some(c) if c.is_ascii_lowercase() => label[..1].make_ascii_uppercase(),
        Some(c) if c.is_lowercase() => {
            let upper: String = c.to_uppercase().collect();
            label.replace_range(..c.len_utf8(), &upper);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_a_sentence() {
        let cases = [
            ("salesInvoices", "Sales invoices"),
            ("CustomersV3", "Customers V3"),
            ("dataAreaId", "Data area ID"),
            ("id", "ID"),
            ("WHSAllocationHeaders", "WHS allocation headers"),
            ("EUSalesListV2", "EU sales list V2"),
            ("addressLine1", "Address line 1"),
            ("LegalEntities", "Legal entities"),
            ("lastModifiedDateTime", "Last modified date time"),
            ("V3Lines", "V3 lines"),
            ("IBAN", "IBAN"),
            ("Sales_x0020_Order", "Sales order"),
            ("address1_line1", "Address 1 line 1"),
            ("leadsourcecodename", "Leadsourcecodename"),
            ("ÄndringsDatum", "Ändrings datum"),
            ("", ""),
            ("_x0020_", ""),
        ];
        for (name, label) in cases {
            assert_eq!(from_name(name), label, "{name}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_name_gets_a_trimmed_label(name in "(_x[0-9A-Fa-f]{0,4}_?|[a-zA-Zé0-9_ ]){0,12}|.*") {
            let label = from_name(&name);
            proptest::prop_assert_eq!(label.trim(), label.as_str());
        }
    }

    #[test]
    fn xml_name_escapes_decode() {
        assert_eq!(decode_xml_name("Non_x002D_Inventory"), "Non-Inventory");
        assert_eq!(decode_xml_name("_x0020_"), " ");
        assert_eq!(decode_xml_name("plain"), "plain");
        // Not escapes: left as they are.
        assert_eq!(decode_xml_name("tax_x"), "tax_x");
        assert_eq!(decode_xml_name("a_xZZZZ_b"), "a_xZZZZ_b");
        assert_eq!(decode_xml_name("a_xD800_b"), "a_xD800_b");
        assert_eq!(decode_xml_name("_x00é0_"), "_x00é0_");
    }
}
