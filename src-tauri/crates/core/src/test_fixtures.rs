//! Answers the sandbox never gives, for the unit tests (the captured ones
//! are read with `d365_fixtures`), and a saved connection to start from.

use crate::identity::cloud::Cloud;
use crate::product::Product;
use crate::profiles::{Profile, Registration};

/// A Business Central connection a person signs in to, called `name`.
pub fn profile(name: &str) -> Profile {
    Profile {
        name: name.into(),
        product: Product::BusinessCentral,
        cloud: Cloud::Public,
        tenant: "contoso.onmicrosoft.com".into(),
        client_id: "0f3a6c9e-1b2d-4e5f-8a7b-6c5d4e3f2a1b".into(),
        registration: Registration::SignInWithoutSecret,
        scopes: vec!["https://api.businesscentral.dynamics.com/.default".into()],
        environment: Some("Production".into()),
        company: None,
        network: Default::default(),
        secret: None,
        setup: None,
        customer: None,
        tags: vec![],
    }
}

/// A server on 127.0.0.1 that answers one request with `response` (a whole
/// HTTP/1.1 message) and closes: for answers the sandbox never gives.
pub fn answer_once(response: String) -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    addr
}

/// `answer_once` with a JSON body.
pub fn answer_json_once(status: &str, body: &str) -> std::net::SocketAddr {
    answer_once(format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ))
}
