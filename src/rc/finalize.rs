//! `rc::finalize` and `rc::Finalize`: Python's `weakref.finalize`.

use core::fmt;

use crate::flavor::Local;
use crate::raw::finalize::RawFinalize;
use crate::rc::Rc;

/// Registers `func(args)` to run once when `obj` dies: Python's
/// `weakref.finalize(obj, func, *args)`.
///
/// The registration keeps itself alive: dropping the returned [`Finalize`] (or never
/// binding it) does not cancel it. `func` then runs exactly once, at the first of:
///
/// * `obj`'s death, on the thread that drops the last `Rc`, after `T`'s destructor,
///   newest registration first among the object's finalizers and weak-reference
///   callbacks (see [`Rc`]); a panic is caught and reported;
/// * an explicit [`Finalize::call`], which returns `func`'s result (a panic reaches the
///   caller);
/// * the exit of the thread that created it, if it is still alive then and its
///   [`atexit`](Finalize::atexit) flag is set (the default): see below.
///
/// [`Finalize::detach`] cancels it instead and hands back the object and `args`.
///
/// `func` must not own an `Rc` to `obj` (directly or through `args`): the object
/// would then keep itself alive, and the finalizer could only run at exit. Pass what
/// the cleanup needs as `args` instead of capturing it, so that `detach` can give it
/// back.
///
/// # At exit
///
/// A `rc` finalizer belongs to the thread that created it. When that thread exits
/// (for the main thread: returning from `main`, or `std::process::exit` called on the
/// main thread), its finalizers that are still alive and have the at-exit flag run,
/// newest first, each once; a finalizer created during this run joins it and runs
/// next; a panic is reported and the run goes on. After the run, a finalizer that is
/// triggered (its object dies later in the thread's teardown) is marked dead without
/// calling `func`, as in Python. Finalizers of other threads are not run by
/// `process::exit`, and no destructor-based hook runs on `abort` or a signal.
///
/// # Example
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc as StdRc;
/// use weakref::rc::{finalize, Rc};
///
/// let log = StdRc::new(RefCell::new(Vec::new()));
/// let obj = Rc::new("a file handle");
/// finalize(&obj, |(log, name): (StdRc<RefCell<Vec<String>>>, &str)| {
///     log.borrow_mut().push(format!("closed {name}"))
/// }, (log.clone(), "data.txt"));
///
/// drop(obj);
/// assert_eq!(*log.borrow(), ["closed data.txt"]);
/// ```
pub fn finalize<T, A, R, Func>(obj: &Rc<T>, func: Func, args: A) -> Finalize<T, A, R>
where
    Func: FnOnce(A) -> R + 'static,
    A: 'static,
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
    raw: RawFinalize<T, Local, A, R>,
}

impl<T, A, R> Finalize<T, A, R> {
    /// Calls the function now, if the finalizer is alive, and returns its result;
    /// the finalizer is dead afterwards. Returns `None` if it was already called,
    /// detached, or run by the object's death or at exit. A panic in the function
    /// reaches the caller (the finalizer is dead all the same).
    ///
    /// ```
    /// use weakref::rc::{finalize, Rc};
    /// let obj = Rc::new(());
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
    /// use weakref::rc::{finalize, Rc};
    /// let obj = Rc::new(());
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
    /// use weakref::rc::{finalize, Rc};
    /// let obj = Rc::new(5);
    /// let f = finalize(&obj, |buf: Vec<u8>| drop(buf), vec![1, 2, 3]);
    /// let (back, args) = f.detach().unwrap();
    /// assert!(Rc::ptr_eq(&back, &obj));
    /// assert_eq!(args, [1, 2, 3]);
    /// assert!(f.detach().is_none());
    /// assert!(!f.alive());
    /// ```
    pub fn detach(&self) -> Option<(Rc<T>, A)> {
        self.raw.detach().map(|(raw, args)| (Rc { raw }, args))
    }

    /// If the finalizer and its object are alive, returns the object and a clone of
    /// the arguments, leaving the finalizer alive; otherwise `None`.
    ///
    /// (Calling or detaching this finalizer from inside `A::clone` during `peek`
    /// panics.)
    ///
    /// ```
    /// use weakref::rc::{finalize, Rc};
    /// let obj = Rc::new(());
    /// let f = finalize(&obj, |name: String| drop(name), "tmp".to_owned());
    /// let (o, args) = f.peek().unwrap();
    /// assert!(Rc::ptr_eq(&o, &obj));
    /// assert_eq!(args, "tmp");
    /// assert!(f.alive());
    /// ```
    pub fn peek(&self) -> Option<(Rc<T>, A)>
    where
        A: Clone,
    {
        self.raw.peek().map(|(raw, args)| (Rc { raw }, args))
    }

    /// Whether the finalizer runs at thread exit if still alive then (default `true`);
    /// `false` once it is dead.
    ///
    /// ```
    /// use weakref::rc::{finalize, Rc};
    /// let obj = Rc::new(());
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
