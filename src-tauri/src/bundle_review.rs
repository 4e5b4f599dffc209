//! The bundles' icons, reviewed by tests: every icon drawn from
//! `icons/icon.svg` is bundled, through `bundle.icon` (the .deb installs each
//! PNG there under its pixel size in the hicolor theme) or, for the @2x one
//! the bundler would misfile, `bundle.linux.deb.files`; nothing bundled is
//! missing; and each PNG is the size its name says, in 8-bit RGBA (Tauri
//! refuses anything else as the window icon).

use std::collections::BTreeSet;
use std::path::Path;

use crate::security_review::json;

const ICONS: &str = "../icons";

/// Width, height, bit depth and colour type from a PNG's IHDR chunk, which
/// the format puts first.
fn png_header(bytes: &[u8]) -> Option<(u32, u32, u8, u8)> {
    let ihdr = bytes.get(8..29)?;
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" || &ihdr[4..8] != b"IHDR" {
        return None;
    }
    let number =
        |at: usize| u32::from_be_bytes([ihdr[at], ihdr[at + 1], ihdr[at + 2], ihdr[at + 3]]);
    Some((number(8), number(12), ihdr[16], ihdr[17]))
}

/// The pixels a file name promises: `32x32.png` 32, `128x128@2x.png` 256.
fn promised_size(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".png")?;
    let (size, scale) = match stem.strip_suffix("@2x") {
        Some(size) => (size, 2),
        None => (stem, 1),
    };
    let (width, height) = size.split_once('x')?;
    if width != height {
        return None;
    }
    width.parse::<u32>().ok().map(|w| w * scale)
}

#[test]
fn every_icon_in_the_folder_is_bundled_and_every_bundled_icon_exists() {
    let config = json("tauri.conf.json");
    let bundle = &config["bundle"];
    let deb_files = bundle["linux"]["deb"]["files"]
        .as_object()
        .expect("bundle.linux.deb.files is a map");
    let listed: BTreeSet<String> = bundle["icon"]
        .as_array()
        .expect("bundle.icon is a list")
        .iter()
        // Other files the .deb may carry one day are not icons.
        .chain(deb_files.values().filter(|path| {
            path.as_str()
                .is_some_and(|path| path.starts_with("../icons/"))
        }))
        .map(|path| {
            let path = path.as_str().expect("an icon path is text");
            path.strip_prefix("../icons/")
                .unwrap_or_else(|| panic!("{path} is not in icons/"))
                .to_string()
        })
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(ICONS);
    let present: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("icons/ is readable")
        .map(|entry| {
            entry
                .expect("an icons/ entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        // The source every other icon is drawn from; bundles take rasters.
        .filter(|name| name != "icon.svg")
        .collect();
    assert_eq!(listed, present, "bundle.icon against the files in icons/");
}

#[test]
fn each_png_icon_is_rgba_and_the_size_its_name_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(ICONS);
    for entry in std::fs::read_dir(&dir).expect("icons/ is readable") {
        let path = entry.expect("an icons/ entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".png") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("the icon is readable");
        let (width, height, depth, colour) =
            png_header(&bytes).unwrap_or_else(|| panic!("{name} is not a PNG"));
        assert_eq!((depth, colour), (8, 6), "{name} is 8-bit RGBA");
        assert_eq!(width, height, "{name} is square");
        // icon.png is the large one (512), named as Tauri's `icon` command names it.
        let expected = if name == "icon.png" {
            512
        } else {
            promised_size(&name).unwrap_or_else(|| panic!("{name}: name it WxH.png"))
        };
        assert_eq!(width, expected, "{name} is {expected} pixels wide");
    }
}

#[test]
fn names_promise_their_pixels() {
    assert_eq!(promised_size("32x32.png"), Some(32));
    assert_eq!(promised_size("128x128@2x.png"), Some(256));
    assert_eq!(promised_size("32x16.png"), None);
    assert_eq!(promised_size("icon.png"), None);
}
