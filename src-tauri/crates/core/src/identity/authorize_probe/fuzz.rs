//! Entra's error page: the first `AADSTS<code>: <message>` is read off any
//! page around it; pages without one are trusted; nothing panics.

use proptest::prelude::*;

use super::*;

/// Page text that holds no complete AADSTS error of its own.
fn surroundings() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Zé &;#<>/\"'=.\n-]{0,60}",
        // Mentions that are no error: too few digits, or no colon.
        "(var codes = \\['AADSTS'\\]|AADSTS[0-9]{0,4}:|AADSTS[0-9]{5,9} |AADSTSx)[ a-z]{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn the_first_error_on_a_page_is_read(
        before in surroundings(),
        digits in "[0-9]{5,25}",
        message in "[^<\n\"&]{0,60}",
        end in prop::sample::select(vec!["<", "\n", "\"", ""]),
        after in surroundings(),
    ) {
        let page = format!("{before}AADSTS{digits}: {message}{end}{after}");
        let error = error_on_page(&page).ok_or_else(|| TestCaseError::fail(page.clone()))?;
        // A code too long for a u64 is left out rather than made up.
        prop_assert_eq!(error.code(), digits.parse::<u64>().ok());
        let expected = format!("AADSTS{digits}: {message}");
        if end.is_empty() {
            // The message runs on into what follows, up to its end.
            prop_assert!(error.error_description.starts_with(expected.trim()));
        } else {
            prop_assert_eq!(error.error_description, expected.trim());
        }
    }

    #[test]
    fn a_page_without_an_error_is_trusted(page in surroundings()) {
        prop_assert_eq!(error_on_page(&page), None);
    }

    #[test]
    fn any_page_is_read_without_a_panic(page in prop_oneof![any::<String>(), "(AADSTS[0-9]{0,8}:?|&[a-z#0-9]{0,5};?|[é<\n\"])*"]) {
        if let Some(error) = error_on_page(&page) {
            prop_assert!(error.error_description.starts_with("AADSTS"));
        }
    }
}
