//! `sync::Proxy`.

use crate::sync::{Arc, Weak};

crate::api::proxy::proxy!("sync", Arc, Send + 'static);
