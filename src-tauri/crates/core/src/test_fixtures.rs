//! Answers the sandbox never gives, for the unit tests (the captured ones
//! are read with `d365_fixtures`).

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
