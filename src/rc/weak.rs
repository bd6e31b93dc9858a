//! `rc::Weak`, the single-threaded weak pointer.

use core::fmt;
use core::panic::{RefUnwindSafe, UnwindSafe};

use crate::flavor::Local;
use crate::raw::weak::RawWeak;
use crate::rc::Rc;

crate::api::weak::weak!("rc", Rc, Local);
