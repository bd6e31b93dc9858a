//! `sync::Proxy`.

use crate::sync::{Arc, Weak};

crate::proxy::proxy!("sync", Arc, Send + 'static);
