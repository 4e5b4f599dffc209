//! Byte-level damage to valid documents: what a broken proxy, a cut
//! download or a bad copy does to an answer.

use proptest::prelude::*;

#[derive(Debug, Clone)]
pub enum Edit {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

/// Bytes that matter to XML and JSON readers, plus any byte at all.
fn noise() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(
            prop::sample::select(b"<>/=\"'&;#x:{}[],\\ \n\t\0".to_vec()),
            1..6
        ),
        prop::collection::vec(any::<u8>(), 1..6),
        prop::sample::select(vec![
            b"&amp;".to_vec(),
            b"&#0;".to_vec(),
            b"&#x110000;".to_vec(),
            b"&bogus;".to_vec(),
            b"<![CDATA[".to_vec(),
            b"<!--".to_vec(),
            b"\xef\xbb\xbf".to_vec(),
            b"\\u0000".to_vec(),
            b"\\ud800".to_vec(),
            b"1e999999".to_vec(),
            b"-0".to_vec(),
            b"18446744073709551616".to_vec(),
        ]),
    ]
}

pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
        (any::<usize>(), noise()).prop_map(|(at, n)| Edit::Insert(at, n)),
        (any::<usize>(), 1..40usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1..40usize).prop_map(|(at, n)| Edit::Duplicate(at, n)),
    ];
    prop::collection::vec(edit, 1..5)
}

/// Applies `edits`; positions wrap around the current length.
pub fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match edit {
            Edit::Truncate(i) => bytes.truncate(at(*i)),
            Edit::Flip(i, b) if len > 0 => bytes[i % len] ^= b | 1,
            Edit::Flip(..) => {}
            Edit::Insert(i, noise) => {
                let at = at(*i);
                bytes.splice(at..at, noise.iter().copied());
            }
            Edit::Delete(i, n) => {
                let at = at(*i);
                bytes.drain(at..(at + n).min(len));
            }
            Edit::Duplicate(i, n) => {
                let at = at(*i);
                let span = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, span);
            }
        }
    }
    bytes
}
