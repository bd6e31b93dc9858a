//! `rc::WeakValueMap`.

use crate::rc::{Rc, Weak};

crate::api::value_map::weak_value_map!("rc", Rc, crate::flavor::Local, 'static);
