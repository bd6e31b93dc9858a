// What the shared cases use besides the flavour's types.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc as Shared, Mutex};

use common::{
    capture_reports, quiet_expected_panics, with_handler_also, Log, Noisy, PayloadBomb, EXPECTED,
};
use weakrefs::PanicSource;
