//! `rc::WeakMethod`.

use crate::rc::{Rc, Weak};

crate::api::weak_method::weak_method!("rc", Rc, rc, fn_bounds: ['static], callback_bounds: ['static]);
