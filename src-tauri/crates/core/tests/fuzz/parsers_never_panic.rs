//! Whatever people paste, the parsers answer with a value or an error they
//! can explain: never a panic.

use d365_core::identity::claims;
use d365_core::identity::cloud::Cloud;
use d365_core::identity::diagnose::{diagnose, EntraError};
use d365_core::identity::input;
use d365_core::problem::Explain;
use d365_core::product::Product;
use proptest::prelude::*;

/// Random text biased toward the characters these parsers care about.
fn pasted() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \"'{}()/:.%?=&a-f0-9A-Z_~-]{0,120}",
        "(https?://)?(api\\.)?businesscentral\\.dynamics\\.com(/[a-zA-Z0-9.'%(),=-]{0,20}){0,6}(\\?[a-z]+=[^ ]{0,10})?",
        "https://[a-z0-9.-]{0,30}\\.(crm[0-9]?|operations)\\.dynamics\\.(com|cn|us)(/[^ ]{0,20})?",
    ]
}

proptest! {
    #![proptest_config(config!(4096, "parsers_never_panic"))]

    #[test]
    fn input_parsers_never_panic(s in pasted()) {
        let explain = |e: input::InputError| {
            let p = e.explain();
            assert!(!p.message.is_empty() && !p.fix.is_empty());
        };
        let _ = input::tenant(&s).map_err(explain);
        let _ = input::client_id(&s).map_err(explain);
        let _ = input::client_secret(&s).map_err(explain);
        let _ = input::bc_service_url(&s).map_err(explain);
        for product in Product::ALL {
            for cloud in [Cloud::Public, Cloud::UsGov, Cloud::China] {
                let _ = input::environment_url(product, &cloud, &s).map_err(explain);
            }
        }
    }

    #[test]
    fn entra_and_token_parsers_never_panic(s in pasted(), error in "[a-z_]{0,20}") {
        if let Some(e) = EntraError::from_json(&s) {
            let _ = diagnose(&e);
        }
        let _ = diagnose(&EntraError::from_redirect(&error, Some(&s)));
        let _ = claims::decode(&s);
        let _ = claims::decode(&format!("a.{s}.c"));
    }

    #[test]
    fn a_pasted_guid_secret_is_always_called_a_secret_id(id in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", pad in "[ \t\"']{0,3}") {
        let pasted = format!("{pad}{id}{pad}");
        prop_assert_eq!(input::client_secret(&pasted).err(), Some(input::InputError::SecretIdNotValue));
    }
}
