//! `rc::Proxy`.

use crate::rc::{Rc, Weak};

crate::proxy::proxy!("rc", Rc, 'static);
