//! The token signing key and its JWKS entry.
//!
//! SANDBOX ONLY: this RSA key is public (it is in the source), so tokens it
//! signs prove nothing outside the sandbox. It is fixed so that startup is
//! instant and tokens stay verifiable across restarts. Generated with
//! `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` and a
//! self-signed certificate (`openssl req -x509 -days 36500`), which Entra's
//! JWKS entries carry in `x5c`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};

const SIGNING_KEY_PEM: &str = include_str!("keys/signing-key.pem");
const SIGNING_CERT_PEM: &str = include_str!("keys/signing-cert.pem");

/// Entra's `kid` equals `x5t`, the base64url SHA-1 thumbprint of the
/// certificate (`openssl x509 -outform DER | openssl dgst -sha1 -binary`);
/// a unit test recomputes it.
pub const KEY_ID: &str = "G_hCX0ZeNV-_U7YErquEORL7RSg";

pub struct Keys {
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    modulus: String,
    exponent: String,
}

impl Keys {
    pub fn load() -> Result<Keys, String> {
        let private = RsaPrivateKey::from_pkcs8_pem(SIGNING_KEY_PEM)
            .map_err(|e| format!("sandbox signing key: {e}"))?;
        let public = RsaPublicKey::from(&private);
        let modulus = URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
        let exponent = URL_SAFE_NO_PAD.encode(public.e().to_bytes_be());
        let encoding = EncodingKey::from_rsa_pem(SIGNING_KEY_PEM.as_bytes())
            .map_err(|e| format!("sandbox signing key: {e}"))?;
        // Verification goes through the published n/e, exactly what a
        // resource server reading the JWKS would use.
        let decoding = DecodingKey::from_rsa_components(&modulus, &exponent)
            .map_err(|e| format!("sandbox verification key: {e}"))?;
        Ok(Keys {
            encoding,
            decoding,
            modulus,
            exponent,
        })
    }

    /// `discovery/v2.0/keys` for one tenant: the shape of Entra's JWKS
    /// entries (kty, use, kid, x5t, n, e, x5c, issuer).
    pub fn jwks(&self, issuer: &str) -> Value {
        json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "kid": KEY_ID,
                "x5t": KEY_ID,
                "n": self.modulus,
                "e": self.exponent,
                "x5c": [certificate_der_base64()],
                "cloud_instance_name": "microsoftonline.com",
                "issuer": issuer,
            }]
        })
    }
}

/// `x5c` holds the DER certificate in standard base64, which is the PEM
/// body without its armour and line breaks.
fn certificate_der_base64() -> String {
    SIGNING_CERT_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use sha1::{Digest, Sha1};

    #[test]
    fn the_key_id_is_the_certificate_thumbprint() {
        let der = STANDARD.decode(certificate_der_base64()).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.encode(Sha1::digest(&der)), KEY_ID);
    }

    #[test]
    fn loads_and_publishes_the_public_half() {
        let keys = Keys::load().unwrap();
        let jwks = keys.jwks("http://x/entra/t/v2.0");
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
        assert!(jwks["keys"][0]["n"].as_str().unwrap().len() > 300);
    }
}
