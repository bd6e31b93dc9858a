//! What happens to a panic in a callback or finalizer: it is caught and reported.
//!
//! Python sends an exception raised by a weakref callback or a finalizer to
//! `sys.unraisablehook`, which prints "Exception ignored in: …" and carries on with
//! the next callback. We do the same with panics: each callback and finalizer runs
//! under [`std::panic::catch_unwind`], and a panic is handed to the installed
//! handler (by default one line on standard error), after which the remaining
//! callbacks still run. Because the panic is caught inside the callback's frame, a
//! callback may even panic while another panic is unwinding (an `Rc` dropped during
//! unwinding): the process does not abort.
//!
//! Note that Rust's own panic hook runs first, as for any panic, and prints its usual
//! `thread '…' panicked at …` message; the handler here adds the "ignored" report.

use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, RwLock};

/// Where a caught panic came from.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use weakrefs::rc::{finalize, Rc};
/// use weakrefs::PanicSource;
///
/// let sources = Arc::new(Mutex::new(Vec::new()));
/// let log = sources.clone();
/// weakrefs::set_panic_handler(move |p| log.lock().unwrap().push(p.source()));
/// let obj = Rc::new(());
/// finalize(&obj, |()| panic!("in a finalizer"), ());
/// let _w = Rc::downgrade_with(&obj, |_| panic!("in a callback"));
/// drop(obj); // newest first: the callback, then the finalizer
/// weakrefs::reset_panic_handler();
/// assert_eq!(*sources.lock().unwrap(), [PanicSource::WeakCallback, PanicSource::Finalizer]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PanicSource {
    /// The callback of a weak reference (`downgrade_with`), run when its referent died.
    WeakCallback,
    /// A finalizer's function, run when its object died.
    Finalizer,
    /// A finalizer's function, run at thread or process exit.
    AtExit,
    /// The `Drop` of an entry that a weak collection removed (a key's, say): because
    /// its referent died (there is no caller to give the panic to, as for a callback),
    /// or, in an operation, while another panic was already unwinding or after a first
    /// such panic (which is the one that propagates; see the collections' "Panics"
    /// sections).
    EntryDrop,
    /// The `Drop` of a value whose end of life was deferred because it came too deep in
    /// a chain of nested ends of life (see "Deep drops" in the crate docs). Such a
    /// panic cannot reach the frame that would have seen it in a shallow drop, so it is
    /// caught and reported, like a callback's.
    DeferredDrop,
}

/// A panic caught in a callback or finalizer, as given to the panic handler.
pub struct CallbackPanic {
    source: PanicSource,
    referent_type: &'static str,
    payload: Box<dyn Any + Send>,
}

impl CallbackPanic {
    /// Where the panic came from.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use weakrefs::rc::Rc;
    /// use weakrefs::{PanicSource, CallbackPanic};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// weakrefs::set_panic_handler(move |p: &CallbackPanic| {
    ///     log.lock().unwrap().push(p.source());
    /// });
    /// let obj = Rc::new(5u8);
    /// let _w = Rc::downgrade_with(&obj, |_| panic!("boom"));
    /// drop(obj);
    /// weakrefs::reset_panic_handler();
    /// assert_eq!(*seen.lock().unwrap(), [PanicSource::WeakCallback]);
    /// ```
    pub fn source(&self) -> PanicSource {
        self.source
    }

    /// The full type name (`std::any::type_name`) of the object whose death, or whose
    /// finalizer, ran the panicking code; for [`PanicSource::EntryDrop`], of the
    /// collection's keys; for [`PanicSource::DeferredDrop`], of the value whose `Drop`
    /// panicked.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use weakrefs::rc::Rc;
    /// use weakrefs::{PanicSource, CallbackPanic};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// weakrefs::set_panic_handler(move |p: &CallbackPanic| {
    ///     log.lock().unwrap().push(p.referent_type());
    /// });
    /// let obj = Rc::new(5u8);
    /// let _w = Rc::downgrade_with(&obj, |_| panic!("boom"));
    /// drop(obj);
    /// weakrefs::reset_panic_handler();
    /// assert_eq!(*seen.lock().unwrap(), ["u8"]);
    /// ```
    pub fn referent_type(&self) -> &'static str {
        self.referent_type
    }

    /// The panic payload, as `catch_unwind` returns it.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use weakrefs::rc::Rc;
    /// use weakrefs::{PanicSource, CallbackPanic};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// weakrefs::set_panic_handler(move |p: &CallbackPanic| {
    ///     log.lock().unwrap().push(p.payload().downcast_ref::<&str>().copied());
    /// });
    /// let obj = Rc::new(5u8);
    /// let _w = Rc::downgrade_with(&obj, |_| panic!("boom"));
    /// drop(obj);
    /// weakrefs::reset_panic_handler();
    /// assert_eq!(*seen.lock().unwrap(), [Some("boom")]);
    /// ```
    pub fn payload(&self) -> &(dyn Any + Send) {
        &*self.payload
    }

    /// The panic message, when the payload is a `&str` or a `String` (as it is for
    /// `panic!` with a message).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use weakrefs::rc::Rc;
    /// use weakrefs::{PanicSource, CallbackPanic};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// weakrefs::set_panic_handler(move |p: &CallbackPanic| {
    ///     log.lock().unwrap().push(p.message().map(str::to_owned));
    /// });
    /// let obj = Rc::new(5u8);
    /// let _w = Rc::downgrade_with(&obj, |_| panic!("boom"));
    /// drop(obj);
    /// weakrefs::reset_panic_handler();
    /// assert_eq!(*seen.lock().unwrap(), [Some("boom".to_owned())]);
    /// ```
    pub fn message(&self) -> Option<&str> {
        if let Some(s) = self.payload.downcast_ref::<&'static str>() {
            Some(s)
        } else {
            self.payload.downcast_ref::<String>().map(String::as_str)
        }
    }
}

impl fmt::Debug for CallbackPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackPanic")
            .field("source", &self.source)
            .field("referent_type", &self.referent_type)
            .field("message", &self.message())
            .finish()
    }
}

impl fmt::Display for CallbackPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.source {
            PanicSource::WeakCallback => "a weak reference callback",
            PanicSource::Finalizer => "a finalizer",
            PanicSource::AtExit => "a finalizer run at exit",
            PanicSource::EntryDrop => "dropping an entry removed from a weak collection",
            PanicSource::DeferredDrop => "a deferred drop",
        };
        let short = crate::repr::short(self.referent_type);
        write!(f, "panic ignored in {what} for '{short}'")?;
        match self.message() {
            Some(message) => write!(f, ": {message}"),
            None => Ok(()),
        }
    }
}

/// An installed panic handler, as [`set_panic_handler`] and [`reset_panic_handler`]
/// return it: put it back with `set_panic_handler(move |p| previous(p))`.
///
/// ```
/// use weakrefs::PanicHandler;
///
/// weakrefs::set_panic_handler(|p| eprintln!("first: {p}"));
/// let previous: PanicHandler = weakrefs::set_panic_handler(|_| ()).unwrap();
/// // ... later, restore it:
/// weakrefs::set_panic_handler(move |p| previous(p));
/// # weakrefs::reset_panic_handler();
/// ```
pub type PanicHandler = Arc<dyn Fn(&CallbackPanic) + Send + Sync + 'static>;

static HANDLER: RwLock<Option<PanicHandler>> = RwLock::new(None);

/// Installs `handler` for panics caught in callbacks and finalizers, of both flavours,
/// on every thread; returns the previous handler, if one was installed.
///
/// The handler runs on the thread where the callback panicked, right after the panic
/// was caught and before the next callback runs. It may use the crate freely (drop
/// objects, register callbacks, even install another handler). Nothing it does stops
/// the remaining callbacks and finalizers: a panic in the handler itself is caught and
/// ignored, and so is a panic in the `Drop` of any panic payload (the one reported, or
/// the handler's own; `std::panic::panic_any` takes any type). A payload whose `Drop`
/// keeps panicking with new payloads of its own is leaked after a few rounds, rather
/// than let the panic escape.
///
/// # Example
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use weakrefs::rc::Rc;
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// weakrefs::set_panic_handler(move |p| log.lock().unwrap().push(p.message().unwrap().to_owned()));
///
/// let obj = Rc::new(5);
/// let _w = Rc::downgrade_with(&obj, |_| panic!("boom"));
/// drop(obj); // the panic is caught and handed to the handler
/// assert_eq!(*seen.lock().unwrap(), ["boom"]);
/// # weakrefs::reset_panic_handler();
/// ```
pub fn set_panic_handler<H>(handler: H) -> Option<PanicHandler>
where
    H: Fn(&CallbackPanic) + Send + Sync + 'static,
{
    let mut slot = HANDLER.write().unwrap_or_else(|e| e.into_inner());
    slot.replace(Arc::new(handler))
}

/// Restores the default handler (one line on standard error); returns the handler that
/// was installed, if any.
///
/// ```
/// weakrefs::set_panic_handler(|_| ());
/// assert!(weakrefs::reset_panic_handler().is_some());
/// assert!(weakrefs::reset_panic_handler().is_none(), "the default is installed");
/// ```
pub fn reset_panic_handler() -> Option<PanicHandler> {
    let mut slot = HANDLER.write().unwrap_or_else(|e| e.into_inner());
    slot.take()
}

/// A caught panic's payload, as `catch_unwind` returns it.
pub(crate) type Payload = Box<dyn Any + Send>;

/// Hands a caught panic to the handler. Never panics, whatever the handler does: a
/// panic in the handler is caught, and every payload (the reported one, the handler's)
/// is dropped by [`drop_payload`]. So the death or exit run that called this goes on
/// with its next callback.
pub(crate) fn callback_panicked(
    source: PanicSource,
    referent_type: &'static str,
    payload: Payload,
) {
    let report = CallbackPanic {
        source,
        referent_type,
        payload,
    };
    let handler = HANDLER.read().unwrap_or_else(|e| e.into_inner()).clone();
    // The handler runs on a borrow of its clone: if it panics, nothing it owns is
    // dropped while that panic unwinds.
    catch_quietly(|| match &handler {
        Some(handler) => handler(&report),
        None => eprintln!("weakrefs: {report}"),
    });
    // Then the clone goes, on its own: if the handler was replaced meanwhile (even by
    // itself), ours may be the last reference, and its captures' `Drop` is user code.
    catch_quietly(move || drop(handler));
    drop_payload(report.payload);
}

/// Runs `f`, catching a panic, whose payload is dropped by [`drop_payload`]. For the
/// places where nothing may escape at all: an `extern "C"` hook, a thread-local
/// destructor.
pub(crate) fn catch_quietly(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        drop_payload(payload);
    }
}

/// Drops a caught panic's payload without letting a panic escape: a payload is user
/// data (`std::panic::panic_any` takes any type), and its `Drop` may panic in turn.
/// That panic is caught and its own payload dropped the same way, a few times at most;
/// a payload still panicking after that (a `Drop` that panics with a fresh copy of its
/// own type, forever) is leaked, the one thing left to do that ends.
pub(crate) fn drop_payload(payload: Payload) {
    /// How many nested payloads are dropped before the last one is leaked.
    const NESTED_DROPS: usize = 8;
    let mut payload = payload;
    for _ in 0..NESTED_DROPS {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(nested) => payload = nested,
        }
    }
    core::mem::forget(payload);
}
