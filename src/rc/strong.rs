//! `rc::Rc`, the single-threaded strong pointer.

use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::pin::Pin;

use crate::flavor::Local;
use crate::raw::strong::RawRc;
use crate::raw::weak::RawWeak;
use crate::rc::Weak;

crate::api::strong::strong!(
    "rc", Rc, Local,
    intro: " A single-threaded reference-counting pointer whose weak references can call back
 when the value dies. 'Rc' stands for 'Reference Counted'.",
    threads: "",
    callback_bounds: ['static]
);
