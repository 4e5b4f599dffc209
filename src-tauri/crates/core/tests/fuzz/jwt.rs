//! Access token claims: random claim sets, encoded as Entra does, read
//! back field by field; anything else is an error, never a panic.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use d365_core::identity::claims::{decode, TokenClaims};
use d365_core::problem::Explain;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
struct Claims {
    aud: Option<String>,
    tid: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
    scp: Option<String>,
    roles: Option<Vec<String>>,
    exp: Option<u64>,
    upn: Option<String>,
    unique_name: Option<String>,
    preferred_username: Option<String>,
    /// Claims the decoder does not read (`iat`, `amr`, `xms_*` …).
    extra: Vec<(String, Value)>,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z0-9@._:/ -]{0,40}", any::<String>()]
}

fn extra() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        text().prop_map(Value::from),
        prop::collection::vec(text(), 0..3).prop_map(|v| json!(v)),
        Just(json!({"nested": {"deep": [1, null, true]}})),
        Just(Value::Null),
    ]
}

fn claims() -> impl Strategy<Value = Claims> {
    let o = || prop::option::of(text());
    (
        (o(), o(), o(), o(), o()),
        prop::option::of(prop::collection::vec(text(), 0..4)),
        prop::option::of(any::<u64>()),
        (o(), o(), o()),
        prop::collection::vec(("(iat|nbf|amr|xms_[a-z]{1,5}|ver|oid)", extra()), 0..4),
    )
        .prop_map(
            |(
                (aud, tid, appid, azp, scp),
                roles,
                exp,
                (upn, unique_name, preferred_username),
                extra,
            )| Claims {
                aud,
                tid,
                appid,
                azp,
                scp,
                roles,
                exp,
                upn,
                unique_name,
                preferred_username,
                extra,
            },
        )
}

impl Claims {
    fn payload(&self) -> String {
        let mut map = Map::new();
        for (name, value) in &self.extra {
            map.insert(name.clone(), value.clone());
        }
        let mut put = |name: &str, value: Option<Value>| {
            if let Some(v) = value {
                map.insert(name.into(), v);
            }
        };
        put("aud", self.aud.clone().map(Value::from));
        put("tid", self.tid.clone().map(Value::from));
        put("appid", self.appid.clone().map(Value::from));
        put("azp", self.azp.clone().map(Value::from));
        put("scp", self.scp.clone().map(Value::from));
        put("roles", self.roles.clone().map(|r| json!(r)));
        put("exp", self.exp.map(Value::from));
        put("upn", self.upn.clone().map(Value::from));
        put("unique_name", self.unique_name.clone().map(Value::from));
        put(
            "preferred_username",
            self.preferred_username.clone().map(Value::from),
        );
        Value::Object(map).to_string()
    }

    /// v1 names first, then v2's (`azp`, `preferred_username`), then v1's
    /// `unique_name`.
    fn expected(&self) -> TokenClaims {
        TokenClaims {
            aud: self.aud.clone().unwrap_or_default(),
            tid: self.tid.clone(),
            appid: self.appid.clone().or(self.azp.clone()),
            scp: self.scp.clone(),
            roles: self.roles.clone().unwrap_or_default(),
            exp: self.exp.unwrap_or_default(),
            upn: self
                .upn
                .clone()
                .or(self.preferred_username.clone())
                .or(self.unique_name.clone()),
        }
    }
}

fn segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{0,60}"
}

proptest! {
    #![proptest_config(config!(1024, "jwt"))]

    #[test]
    fn claims_read_back_as_encoded(claims in claims(), header in segment(), signature in segment(), padded in any::<bool>()) {
        let payload = claims.payload();
        // Entra pads nothing; some tools pad anyway.
        let encoded = if padded { URL_SAFE.encode(&payload) } else { URL_SAFE_NO_PAD.encode(&payload) };
        let decoded = decode(&format!("{header}.{encoded}.{signature}"));
        prop_assert_eq!(decoded, Ok(claims.expected()), "{}", payload);
    }

    #[test]
    fn a_token_without_three_parts_is_an_error(parts in prop::collection::vec(segment(), 0..7), claims in claims()) {
        // With the payload added, any count but three.
        let mut all = parts;
        if all.len() == 2 {
            all.push(String::new());
        }
        // A readable payload in the middle, so only the count is wrong.
        all.insert(all.len() / 2, URL_SAFE_NO_PAD.encode(claims.payload()));
        prop_assert!(decode(&all.join(".")).is_err());
    }

    #[test]
    fn unreadable_payloads_are_explained(payload in prop_oneof![
        any::<Vec<u8>>().prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        any::<String>(),
        // Numbers a u64 cannot hold, or not whole.
        prop::sample::select(vec!["18446744073709551616", "-1", "1e400", "1.5", "99999999999999999999999999"])
            .prop_map(|n| URL_SAFE_NO_PAD.encode(format!("{{\"aud\":\"a\",\"exp\":{n}}}"))),
        prop::sample::select(vec!["null", "[]", "\"aud\"", "{\"roles\":\"one\"}", "{\"aud\":1}", "{\"aud\":\"\\ud800\"}"])
            .prop_map(|j| URL_SAFE_NO_PAD.encode(j)),
        // Standard base64 is not base64url.
        any::<Vec<u8>>().prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
    ]) {
        if let Err(e) = decode(&format!("h.{payload}.s")) {
            let p = e.explain();
            prop_assert!(p.message.starts_with("The access token could not be read") && !p.fix.is_empty());
        }
    }
}
