//! Unsizing without `CoerceUnsized`: [`Coercion`] and the [`coercion!`](crate::coercion!) macro.
//!
//! std turns an `Rc<T>` into an `Rc<dyn Trait>` by an implicit coercion, which needs
//! the unstable `CoerceUnsized` trait for any other pointer type. Here the coercion
//! is a value: a function that coerces a raw value pointer, which
//! [`rc::Rc::unsize`](crate::rc::Rc::unsize), [`rc::Weak::unsize`](crate::rc::Weak::unsize)
//! and their `sync` twins apply to the handle in place: no copy, no allocation, the
//! same object with the same weak references, callbacks and finalizers.
//!
//! Why a function value and not a trait: on stable Rust, only the compiler knows how
//! to make a trait object's metadata, and it does so in a coercion expression. The
//! macro writes that expression (`p` returned as `*const dyn Trait`) in a small
//! generic function, so that the pointer the handle gets is exactly the one the
//! compiler made. The design is the one of the `unsize` crate, kept to what the
//! handles here need.

use core::fmt;

/// An unsizing coercion from `*const T` to `*const U`: the same address, `U`'s
/// metadata (`T`'s vtable for `dyn Trait`).
///
/// Make one with [`coercion!`](crate::coercion!); give it to `Rc::unsize`,
/// `Arc::unsize` or `Weak::unsize`.
///
/// # Why a value, and not std's implicit coercion
///
/// std turns an `Rc<T>` into an `Rc<dyn Trait>` implicitly, through `CoerceUnsized`,
/// a trait that only std may implement on stable Rust. The other ways were weighed:
/// `From<Box<dyn Trait>>` works (and is here) but copies the value into a new
/// allocation, which loses the object's weak references and callbacks; a trait of
/// ours per target type cannot be written for every `dyn Trait`. Only the compiler
/// knows how to make a trait object's metadata, and it does so in a coercion
/// expression: `coercion!` writes that expression in a small generic function, and
/// the handles apply it to their own pointer. No copy, no allocation, the same object.
/// The `unsize` crate's `CoerciblePtr` rests on the same idea; this is the part of it
/// the handles need, without a dependency.
///
/// # Examples
///
/// ```
/// use std::fmt::Display;
/// use weakrefs::{coercion, rc::Rc};
///
/// let five: Rc<dyn Display> = Rc::unsize(Rc::new(5), coercion!(dyn Display));
/// assert_eq!(five.to_string(), "5");
/// ```
pub struct Coercion<T: ?Sized, U: ?Sized> {
    coerce: fn(*const T) -> *const U,
}

impl<T: ?Sized, U: ?Sized> Coercion<T, U> {
    /// Wraps `coerce`.
    ///
    /// # Safety
    ///
    /// `coerce` must return its argument unchanged but for the metadata: the same
    /// address, and metadata that describes the value `T` points to as a `U` (what an
    /// unsizing coercion makes). The handles check the address (and panic if it
    /// moved), but cannot check the metadata.
    ///
    /// ```
    /// use weakrefs::{rc::Rc, Coercion};
    ///
    /// // SAFETY: an unsizing coercion, written out.
    /// let to_slice = unsafe { Coercion::new(|p: *const [u8; 3]| -> *const [u8] { p }) };
    /// let bytes: Rc<[u8]> = Rc::unsize(Rc::new([1, 2, 3]), to_slice);
    /// assert_eq!(&*bytes, &[1, 2, 3]);
    /// ```
    pub const unsafe fn new(coerce: fn(*const T) -> *const U) -> Self {
        Coercion { coerce }
    }

    /// The coercion, for the handles.
    pub(crate) fn get(&self) -> fn(*const T) -> *const U {
        self.coerce
    }
}

impl<T: ?Sized, U: ?Sized> Clone for Coercion<T, U> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized, U: ?Sized> Copy for Coercion<T, U> {}

impl<T: ?Sized, U: ?Sized> fmt::Debug for Coercion<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Coercion<{}, {}>",
            core::any::type_name::<T>(),
            core::any::type_name::<U>()
        )
    }
}

/// A [`Coercion`] to a trait object: `coercion!(dyn Trait)`, or with more bounds,
/// `coercion!(dyn Trait + Send + Sync)`. The source type is inferred; it must
/// implement the bounds and be `'static`.
///
/// ```
/// use std::any::Any;
/// use weakrefs::{coercion, sync::Arc};
///
/// let any: Arc<dyn Any + Send + Sync> = Arc::unsize(Arc::new(7u8), coercion!(dyn Any + Send + Sync));
/// assert_eq!(any.downcast::<u8>().ok().map(|n| *n), Some(7));
/// ```
#[macro_export]
macro_rules! coercion {
    (dyn $($bounds:tt)+) => {{
        fn coerce<T: $($bounds)+ + 'static>(value: *const T) -> *const (dyn $($bounds)+) {
            value
        }
        // SAFETY: `coerce` is an unsizing coercion made by the compiler: the same
        // address, the metadata of `T` as the trait object. (The `unsafe_code` lint
        // does not fire in another crate's macro, so this works under
        // `#![forbid(unsafe_code)]`, where an `allow` would be an error.)
        unsafe { $crate::Coercion::new(coerce) }
    }};
}
