//! Memory-pressure settings for WebKitGTK's page process, so the memory a
//! long scroll leaves behind (JavaScript garbage, caches, freed malloc
//! pages) is given back within seconds, not kept.
//!
//! WebKit releases that memory when its memory-pressure handler finds the
//! process's footprint (anonymous private dirty pages) past a threshold. By
//! default the limit is min(3 GB, RAM), the first threshold a third of it
//! and the check every 30 s: a page process never gets there, and after
//! loading 100,000 rows by scrolling it kept 40-170 MiB more than after
//! scrolling 1,000 rows as far, however much its last garbage collection
//! happened to leave (docs/building.md, "Page memory", has the figures).
//!
//! The settings are a construct-only property of `WebKitWebContext`
//! (`memory-pressure-settings`, WebKitGTK 2.34+), and wry builds that
//! context itself without a way to pass them. So before the first context
//! is built, the class's `set_property` is wrapped: when construction gives
//! the property its default (no settings), ours are passed instead. Sources:
//! https://webkitgtk.org/reference/webkit2gtk/stable/struct.MemoryPressureSettings.html
//! https://webkitgtk.org/reference/webkit2gtk/stable/property.WebContext.memory-pressure-settings.html

// The one place in the workspace that needs unsafe: GObject's class
// structure and its C values have no safe binding for a class we did not
// define (Cargo.toml denies unsafe everywhere else).
#![allow(unsafe_code)]

use std::ffi::{c_uint, CStr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use gobject_sys::{GObject, GObjectClass, GParamSpec, GValue};
use webkit2gtk_sys as webkit;

/// The footprint WebKit measures against, in MB. Conservative release
/// (what WebKit calls non-critical memory: caches) starts at 230 MB, strict
/// release (critical memory too, with a garbage collection) at 256 MB.
/// Measured under Xvfb, a page process showing a table settles at 170-230
/// MB, so an idle app is left alone, and climbs to 300-530 MB while 100,000
/// rows are loaded by scrolling, so the garbage that leaves is collected
/// within a check or two. Lower thresholds would
/// collect a resting page over and over: WebKit's documentation warns of
/// exactly that.
const MEMORY_LIMIT_MB: c_uint = 512;
const CONSERVATIVE: f64 = 0.45;
const STRICT: f64 = 0.5;
/// Seconds between checks: WebKit's default is 30.
const POLL_INTERVAL_S: f64 = 5.0;
// WebKit refuses (with a GLib critical) fractions out of this order.
const _: () = assert!(0.0 < CONSERVATIVE && CONSERVATIVE < STRICT && STRICT < 1.0);

const PROPERTY: &[u8] = b"memory-pressure-settings";

type SetProperty = unsafe extern "C" fn(*mut GObject, c_uint, *mut GValue, *mut GParamSpec);

static ORIGINAL_SET_PROPERTY: OnceLock<SetProperty> = OnceLock::new();
static APPLIED: AtomicBool = AtomicBool::new(false);

/// Wraps `WebKitWebContext`'s property setter. Call on the main thread
/// before the first window is built.
pub fn limit_page_memory() {
    // SAFETY: the class is reffed and never unreffed, so it outlives every
    // use; `set_property` is read and replaced once, on the main thread,
    // before any WebKitWebContext exists (no construction can race it).
    unsafe {
        let class = gobject_sys::g_type_class_ref(webkit::webkit_web_context_get_type())
            .cast::<GObjectClass>();
        if let Some(original) = (*class).set_property {
            if ORIGINAL_SET_PROPERTY.set(original).is_ok() {
                (*class).set_property = Some(set_property_with_limit);
            }
        }
    }
}

/// For the log: whether a web context was built with our settings, so a
/// WebKit or wry that builds its context differently is noticed.
pub fn summary() -> String {
    if APPLIED.load(Ordering::Relaxed) {
        format!(
            "WebKit page process: memory-pressure limit {MEMORY_LIMIT_MB} MB, caches released from {:.0} MB and garbage collected from {:.0} MB, checked every {POLL_INTERVAL_S:.0} s",
            f64::from(MEMORY_LIMIT_MB) * CONSERVATIVE,
            f64::from(MEMORY_LIMIT_MB) * STRICT
        )
    } else {
        "WebKit page process: memory-pressure settings not applied (WebKit's defaults)".into()
    }
}

unsafe extern "C" fn set_property_with_limit(
    object: *mut GObject,
    id: c_uint,
    value: *mut GValue,
    pspec: *mut GParamSpec,
) {
    let Some(original) = ORIGINAL_SET_PROPERTY.get() else {
        return;
    };
    // SAFETY: GObject calls this with a valid object, value and pspec; the
    // value holds a boxed pointer when the pspec is this boxed property.
    // Ours is a fresh boxed value, owned by `ours` and freed by unset after
    // the original setter (which copies it) returns.
    unsafe {
        let ours_wanted = CStr::from_ptr(gobject_sys::g_param_spec_get_name(pspec)).to_bytes()
            == PROPERTY
            && gobject_sys::g_value_get_boxed(value).is_null();
        if !ours_wanted {
            return original(object, id, value, pspec);
        }
        let settings = webkit::webkit_memory_pressure_settings_new();
        webkit::webkit_memory_pressure_settings_set_memory_limit(settings, MEMORY_LIMIT_MB);
        // Strict first: WebKit refuses a conservative fraction above it.
        webkit::webkit_memory_pressure_settings_set_strict_threshold(settings, STRICT);
        webkit::webkit_memory_pressure_settings_set_conservative_threshold(settings, CONSERVATIVE);
        webkit::webkit_memory_pressure_settings_set_poll_interval(settings, POLL_INTERVAL_S);
        let mut ours: GValue = std::mem::zeroed();
        gobject_sys::g_value_init(
            &mut ours,
            webkit::webkit_memory_pressure_settings_get_type(),
        );
        gobject_sys::g_value_take_boxed(&mut ours, settings.cast());
        original(object, id, &mut ours, pspec);
        gobject_sys::g_value_unset(&mut ours);
        APPLIED.store(true, Ordering::Relaxed);
    }
}
