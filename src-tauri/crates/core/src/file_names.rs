//! The file name the app suggests when it saves something:
//! `<connection> - <what> - <YYYY-MM-DD>.<extension>`. A consultant saves
//! files for many customers on many days into one folder; the connection
//! and the date tell them apart and sort them.

use time::Date;

/// Characters Windows, macOS or Linux refuse in a file name.
const REFUSED: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// At most this many bytes of each named part, so the whole name stays
/// well under the 255 bytes file systems allow.
const PART_BYTES: usize = 80;

/// E.g. `Contoso BC - customers - 2026-12-05.csv`. Parts that clean up to
/// nothing are left out.
pub fn suggested_file_name(connection: &str, subject: &str, date: Date, extension: &str) -> String {
    let date = date.to_string();
    let parts: Vec<String> = [file_safe(connection), file_safe(subject)]
        .into_iter()
        .filter(|part| !part.is_empty())
        .chain([date])
        .collect();
    format!("{}.{extension}", parts.join(" - "))
}

/// `text` as part of a file name: refused and control characters become
/// `-`, runs of spaces one space, and no dot or space at either end
/// (Windows drops them; a leading dot hides the file elsewhere).
fn file_safe(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| {
            if REFUSED.contains(&c) || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let spaced = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut part = spaced.trim_matches(['.', ' ']).to_string();
    if part.len() > PART_BYTES {
        let mut end = PART_BYTES;
        while !part.is_char_boundary(end) {
            end -= 1;
        }
        part.truncate(end);
        part = part.trim_end_matches(['.', ' ']).to_string();
    }
    part
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const DAY: Date = date!(2026 - 12 - 05);

    #[test]
    fn names_the_connection_the_subject_and_the_day() {
        assert_eq!(
            suggested_file_name("Contoso BC", "customers", DAY, "csv"),
            "Contoso BC - customers - 2026-12-05.csv"
        );
        assert_eq!(
            suggested_file_name("Contoso BC", "check report", DAY, "html"),
            "Contoso BC - check report - 2026-12-05.html"
        );
    }

    #[test]
    fn characters_file_systems_refuse_are_replaced() {
        assert_eq!(
            suggested_file_name("Fabrikam: EU/UK", "ODataV4/Customers", DAY, "jsonl"),
            "Fabrikam- EU-UK - ODataV4-Customers - 2026-12-05.jsonl"
        );
        assert_eq!(
            suggested_file_name("  ..a\tb\n c. ", "x", DAY, "md"),
            "a-b- c - x - 2026-12-05.md"
        );
    }

    #[test]
    fn an_empty_part_is_left_out() {
        assert_eq!(
            suggested_file_name(" .. ", "customers", DAY, "csv"),
            "customers - 2026-12-05.csv"
        );
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let long = "é".repeat(100);
        let name = suggested_file_name(&long, &long, DAY, "csv");
        assert!(name.len() < 200, "{} bytes", name.len());
        assert!(name.starts_with("éé") && name.ends_with(" - 2026-12-05.csv"));
    }
}
