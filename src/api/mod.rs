//! The public types' templates, written once: each file defines a macro that the
//! flavour modules (`rc/X.rs`, `sync/X.rs`) instantiate with their pointer names,
//! core flavour, bounds and the documentation that differs. A template is safe code
//! over its core in `raw/X.rs`.

pub(crate) mod finalize;
pub(crate) mod key_map;
pub(crate) mod proxy;
pub(crate) mod strong;
pub(crate) mod value_map;
pub(crate) mod weak;
pub(crate) mod weak_method;

/// In a template's documentation: `$text` on the `sync` pages only, nothing on the
/// `rc` ones (what other threads can do, which `rc` types never meet). Use it for a
/// whole paragraph or sentence: `#[doc = $crate::api::sync_only!($module, " …")]`.
macro_rules! sync_only {
    (rc, $text:literal) => {
        ""
    };
    (sync, $text:literal) => {
        $text
    };
}

pub(crate) use sync_only;
