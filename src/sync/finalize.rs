//! `sync::finalize` and `sync::Finalize`: Python's `weakref.finalize`, thread-safe.

use core::fmt;

use crate::flavor::Atomic;
use crate::raw::finalize::RawFinalize;
use crate::sync::Arc;

/// Registers `func(args)` to run once when `obj` dies: Python's
/// `weakref.finalize(obj, func, *args)`.
///
/// The registration keeps itself alive: dropping the returned [`Finalize`] (or never
/// binding it) does not cancel it. `func` then runs exactly once, at the first of:
///
/// * `obj`'s death, on the thread that drops the last `Arc` (hence `Send`), after
///   `T`'s destructor,
///   newest registration first among the object's finalizers and weak-reference
///   callbacks (see [`Arc`]); a panic is caught and reported;
/// * an explicit [`Finalize::call`], which returns `func`'s result (a panic reaches the
///   caller);
/// * the exit of the thread that created it, if it is still alive then and its
///   [`atexit`](Finalize::atexit) flag is set (the default): see below.
///
/// [`Finalize::detach`] cancels it instead and hands back the object and `args`.
///
/// `func` must not own an `Arc` to `obj` (directly or through `args`): the object
/// would then keep itself alive, and the finalizer could only run at exit. Pass what
/// the cleanup needs as `args` instead of capturing it, so that `detach` can give it
/// back.
///
/// # At exit
///
/// `sync` finalizers that are still alive at process exit (a return from `main`, or
/// `std::process::exit`) with their at-exit flag set (the default) run then, newest
/// first, each once, on the exiting thread; a finalizer created during this run joins
/// it and runs next; a panic is reported and the run goes on. After the run, a
/// triggered finalizer is marked dead without calling `func`, as in Python. (This uses
/// the C library's `atexit`, on Unix targets; nothing runs on `abort` or a signal.)
///
/// # Races
///
/// `func` runs at most once whatever races: of an explicit call, `detach`, the
/// object's death and the exit run on different threads, exactly one ends the
/// finalizer, and `detach` hands back the arguments only if `func` did not run.
///
/// # Example
///
/// ```
/// use std::sync::Mutex;
/// use weakref::sync::{finalize, Arc};
///
/// type Log = std::sync::Arc<Mutex<Vec<String>>>;
/// let log = Log::default();
/// let obj = Arc::new("a file handle");
/// finalize(&obj, |(log, name): (Log, &str)| {
///     log.lock().unwrap().push(format!("closed {name}"))
/// }, (log.clone(), "data.txt"));
///
/// std::thread::spawn(move || drop(obj)).join().unwrap(); // runs there
/// assert_eq!(*log.lock().unwrap(), ["closed data.txt"]);
/// ```
pub fn finalize<T, A, R, Func>(obj: &Arc<T>, func: Func, args: A) -> Finalize<T, A, R>
where
    Func: FnOnce(A) -> R + Send + 'static,
    A: Send + 'static,
    R: 'static,
{
    Finalize {
        raw: RawFinalize::register(&obj.raw, func, args),
    }
}

/// A handle on a finalizer made by [`finalize`]; clones share the finalizer.
///
/// `T` is the object's type, `A` the arguments' and `R` the function's result type.
/// Dropping every handle leaves the finalizer registered.
///
/// `Debug` prints Python's `repr`: `<finalize object at 0x…; for 'Type' at 0x…>` while
/// the finalizer and its object are alive, `<finalize object at 0x…; dead>` otherwise.
pub struct Finalize<T, A, R = ()> {
    raw: RawFinalize<T, Atomic, A, R>,
}

// SAFETY: a handle can call the function (which is `Send`) on its thread, hand back
// the object (`T: Send + Sync`, as for `Arc`) and the arguments (`A: Send`), or clone
// the arguments in `peek`, which one thread at a time does (`A: Send` suffices, as for
// a `Mutex<A>`). The result `R` is made on the calling thread and never shared.
unsafe impl<T: Send + Sync, A: Send, R> Send for Finalize<T, A, R> {}
// SAFETY: as above; every method takes `&self` and synchronises through the node.
unsafe impl<T: Send + Sync, A: Send, R> Sync for Finalize<T, A, R> {}

impl<T, A, R> Finalize<T, A, R> {
    /// Calls the function now, if the finalizer is alive, and returns its result;
    /// the finalizer is dead afterwards. Returns `None` if it was already called,
    /// detached, or run by the object's death or at exit. A panic in the function
    /// reaches the caller (the finalizer is dead all the same).
    ///
    /// ```
    /// use weakref::sync::{finalize, Arc};
    /// let obj = Arc::new(());
    /// let f = finalize(&obj, |(x, y, z): (i32, i32, i32)| x + y + z, (67, 43, 89));
    /// assert_eq!(f.call(), Some(199));
    /// assert_eq!(f.call(), None);
    /// assert!(!f.alive());
    /// ```
    pub fn call(&self) -> Option<R> {
        self.raw.call()
    }

    /// Whether the finalizer is alive: not yet called, detached or triggered.
    ///
    /// ```
    /// use weakref::sync::{finalize, Arc};
    /// let obj = Arc::new(());
    /// let f = finalize(&obj, |()| (), ());
    /// assert!(f.alive());
    /// drop(obj);
    /// assert!(!f.alive());
    /// ```
    pub fn alive(&self) -> bool {
        self.raw.alive()
    }

    /// If the finalizer and its object are alive, cancels the finalizer (its function
    /// is dropped without running) and returns the object and the arguments, exactly
    /// once. Otherwise returns `None` and changes nothing.
    ///
    /// ```
    /// use weakref::sync::{finalize, Arc};
    /// let obj = Arc::new(5);
    /// let f = finalize(&obj, |buf: Vec<u8>| drop(buf), vec![1, 2, 3]);
    /// let (back, args) = f.detach().unwrap();
    /// assert!(Arc::ptr_eq(&back, &obj));
    /// assert_eq!(args, [1, 2, 3]);
    /// assert!(f.detach().is_none());
    /// assert!(!f.alive());
    /// ```
    pub fn detach(&self) -> Option<(Arc<T>, A)> {
        self.raw.detach().map(|(raw, args)| (Arc { raw }, args))
    }

    /// If the finalizer and its object are alive, returns the object and a clone of
    /// the arguments, leaving the finalizer alive; otherwise `None`.
    ///
    /// While `A::clone` runs, another thread's call or detach of this finalizer
    /// waits for it; from inside `A::clone` itself, calling or detaching panics.
    ///
    /// ```
    /// use weakref::sync::{finalize, Arc};
    /// let obj = Arc::new(());
    /// let f = finalize(&obj, |name: String| drop(name), "tmp".to_owned());
    /// let (o, args) = f.peek().unwrap();
    /// assert!(Arc::ptr_eq(&o, &obj));
    /// assert_eq!(args, "tmp");
    /// assert!(f.alive());
    /// ```
    pub fn peek(&self) -> Option<(Arc<T>, A)>
    where
        A: Clone,
    {
        self.raw.peek().map(|(raw, args)| (Arc { raw }, args))
    }

    /// Whether the finalizer runs at process exit if still alive then (default `true`);
    /// `false` once it is dead.
    ///
    /// ```
    /// use weakref::sync::{finalize, Arc};
    /// let obj = Arc::new(());
    /// let f = finalize(&obj, |()| (), ());
    /// assert!(f.atexit());
    /// f.set_atexit(false);
    /// assert!(!f.atexit());
    /// ```
    pub fn atexit(&self) -> bool {
        self.raw.atexit()
    }

    /// Sets the at-exit flag; no effect on a dead finalizer.
    pub fn set_atexit(&self, atexit: bool) {
        self.raw.set_atexit(atexit)
    }
}

impl<T, A, R> Clone for Finalize<T, A, R> {
    /// Another handle on the same finalizer.
    fn clone(&self) -> Self {
        Finalize {
            raw: self.raw.clone(),
        }
    }
}

impl<T, A, R> fmt::Debug for Finalize<T, A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let referent = self.raw.live_referent();
        crate::repr::finalize(
            f,
            self.raw.identity(),
            referent,
            core::any::type_name::<T>(),
        )
    }
}
