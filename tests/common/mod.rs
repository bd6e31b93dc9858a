//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::sync::{Arc, Mutex};

use weakrefs::PanicSource;

/// Panics whose message starts with this are expected by a test: the std panic hook
/// does not print them.
pub const EXPECTED: &str = "expected panic";

/// Reports of panics in finalizers run at exit, from any thread (they happen while
/// thread-locals are being torn down, so they are counted globally).
pub static AT_EXIT_REPORTS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SINK: RefCell<Option<Vec<(PanicSource, String, String)>>> = const { RefCell::new(None) };
    /// What the handler does on this thread after recording a report (a test of a
    /// misbehaving handler).
    static HANDLER_ALSO: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// A panic payload whose `Drop` panics (with an expected message): what a careless
/// panic handler may throw with `std::panic::panic_any`.
pub struct PayloadBomb;

impl Drop for PayloadBomb {
    fn drop(&mut self) {
        panic!("{EXPECTED}: a panic payload's Drop");
    }
}

/// Runs `f` with the panic handler also running `also` on this thread, after it has
/// recorded each report (as `capture_reports` does); returns what `f` returned with the
/// reports.
pub fn with_handler_also<R>(
    also: impl Fn() + 'static,
    f: impl FnOnce() -> R,
) -> (R, Vec<(PanicSource, String, String)>) {
    HANDLER_ALSO.with(|slot| *slot.borrow_mut() = Some(Box::new(also)));
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = HANDLER_ALSO.try_with(|slot| slot.borrow_mut().take());
        }
    }
    let _reset = Reset;
    capture_reports(f)
}

fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let bomb = info.payload().downcast_ref::<PayloadBomb>().is_some();
            if !message.starts_with(EXPECTED) && !bomb {
                default_hook(info);
            }
        }));
        // Reports go to the sink of the thread they happen on, so tests running in
        // parallel do not see each other's.
        weakrefs::set_panic_handler(|report| {
            if report.source() == PanicSource::AtExit {
                AT_EXIT_REPORTS.fetch_add(1, Ordering::SeqCst);
            }
            let entry = (
                report.source(),
                report.message().unwrap_or("<no message>").to_owned(),
                report.referent_type().to_owned(),
            );
            let captured = SINK
                .try_with(|sink| {
                    if let Some(sink) = sink.borrow_mut().as_mut() {
                        sink.push(entry.clone());
                        true
                    } else {
                        false
                    }
                })
                .unwrap_or(false);
            if !captured {
                eprintln!("weakrefs: {report}");
            }
            let _ = HANDLER_ALSO.try_with(|also| {
                if let Some(also) = also.borrow().as_ref() {
                    also();
                }
            });
        });
    });
}

/// Runs `f` and returns what it returned with the panic reports made on this thread
/// meanwhile: (source, message, referent type name).
pub fn capture_reports<R>(f: impl FnOnce() -> R) -> (R, Vec<(PanicSource, String, String)>) {
    install();
    SINK.with(|sink| *sink.borrow_mut() = Some(Vec::new()));
    let result = f();
    let reports = SINK.with(|sink| sink.borrow_mut().take().unwrap_or_default());
    (result, reports)
}

/// Silences expected panics (and installs the capturing handler).
pub fn quiet_expected_panics() {
    install();
}

/// A shared log of events, for checking orders (usable from any thread).
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
    pub fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// An object that logs its own drop (Python's `__del__`).
pub struct Noisy {
    pub name: &'static str,
    pub log: Log,
}

impl Noisy {
    pub fn new(name: &'static str, log: &Log) -> Self {
        Noisy {
            name,
            log: log.clone(),
        }
    }
}

impl Drop for Noisy {
    fn drop(&mut self) {
        self.log.push(format!("drop {}", self.name));
    }
}
