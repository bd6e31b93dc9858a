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

/// The `Iterator` impl of a collection's iterator over a snapshot or over drained
/// entries: a struct with an `entries` field (`raw::table::LiveEntries`), each live
/// entry turned into the public item by `$map`.
macro_rules! live_entries_iterator {
    ($Name:ident<$($g:ident $(: ?$unsized:ident)?),*>, $Item:ty, |$raw:pat_param| $map:expr) => {
        impl<$($g $(: ?$unsized)?),*> Iterator for $Name<$($g),*> {
            type Item = $Item;

            fn next(&mut self) -> Option<Self::Item> {
                self.entries.next().map(|$raw| $map)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.entries.size_hint()
            }
        }
    };
}

pub(crate) use live_entries_iterator;
