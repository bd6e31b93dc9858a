//! `rc::WeakValueMap`.

use crate::rc::{Rc, Weak};

crate::collections::value_map_api::weak_value_map!("rc", Rc, crate::flavor::Local, 'static);
