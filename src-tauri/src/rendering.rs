//! How WebKitGTK paints on a machine without a GPU (a virtual machine, a
//! remote desktop). There Mesa's software OpenGL stands in for the GPU, and
//! Skia painting through it made the start page's first frame a second
//! slower than painting on the CPU (tests/scripts/bench.sh: 2.6 s → 1.5 s).
//! Compositing stays on: WEBKIT_DISABLE_COMPOSITING_MODE also paints on the
//! CPU, but with it requestAnimationFrame callbacks and WebDriver calls
//! waited under Xvfb until something repainted (a pointer move released
//! them), and the table's virtualiser uses requestAnimationFrame.

use std::ffi::OsStr;
use std::path::Path;

/// WebKitGTK 2.46+ (Skia); the library reads it when its processes start.
const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Where the kernel lists GPUs: `renderD128`… for each that can render.
const DRI: &str = "/dev/dri";

/// Chooses CPU painting when the machine has no GPU to render with, unless
/// the environment already says how to paint. Call before any thread starts.
pub fn choose_painting() {
    let set = std::env::var_os(CPU_PAINTING);
    if let Some((name, value)) = painting_env(has_render_node(Path::new(DRI)), set.as_deref()) {
        std::env::set_var(name, value);
    }
}

fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// The variable to set, if any: a GPU paints best itself, and a value the
/// user set (even `0`) is theirs.
fn painting_env(render_node: bool, set: Option<&OsStr>) -> Option<(&'static str, &'static str)> {
    (!render_node && set.is_none()).then_some((CPU_PAINTING, "1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_render_node_counts_as_a_gpu() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dri.path()), "empty");
        std::fs::write(dri.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dri.path()), "a display controller only");
        std::fs::write(dri.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dri.path()));
        assert!(!has_render_node(&dri.path().join("missing")));
    }

    #[test]
    fn cpu_painting_without_a_gpu_unless_the_user_chose() {
        assert_eq!(painting_env(false, None), Some((CPU_PAINTING, "1")));
        assert_eq!(painting_env(true, None), None);
        assert_eq!(painting_env(false, Some(OsStr::new("0"))), None);
        assert_eq!(painting_env(true, Some(OsStr::new("1"))), None);
    }
}
