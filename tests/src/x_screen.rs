//! A PNG of a whole X screen, native windows included: WebDriver's
//! screenshot holds only the webview, not a dialog the app opens.

use std::io::BufWriter;
use std::path::Path;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, ImageOrder};

pub fn save_png(display: &str, path: &Path) -> Result<(), String> {
    let (conn, screen) =
        x11rb::connect(Some(display)).map_err(|e| format!("X display {display}: {e}"))?;
    let setup = conn.setup();
    let root = &setup.roots[screen];
    let (width, height) = (root.width_in_pixels, root.height_in_pixels);
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, root.root, 0, 0, width, height, !0)
        .map_err(|e| format!("ask for the screen's pixels: {e}"))?
        .reply()
        .map_err(|e| format!("read the screen's pixels: {e}"))?;
    // Xvfb's 24-bit screen: 32 bits a pixel, least significant byte first,
    // so blue, green, red, unused.
    let pixels = usize::from(width) * usize::from(height);
    if image.depth != 24
        || setup.image_byte_order != ImageOrder::LSB_FIRST
        || image.data.len() != pixels * 4
    {
        return Err(format!(
            "the screen is not 24-bit BGRX (depth {}, {} bytes for {pixels} pixels)",
            image.depth,
            image.data.len()
        ));
    }
    let rgb: Vec<u8> = image
        .data
        .chunks_exact(4)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width.into(), height.into());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&rgb))
        .map_err(|e| format!("{}: {e}", path.display()))
}
