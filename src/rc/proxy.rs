//! `rc::Proxy`.

use crate::rc::{Rc, Weak};

crate::api::proxy::proxy!("rc", Rc, 'static);
