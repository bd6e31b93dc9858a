//! What a [`WeakMethod`](crate::rc::WeakMethod) can call: methods of any arity up to six.
//!
//! `WeakMethod::call(args)` calls the method with the receiver first and then `args`:
//!
//! * for a method of one argument after the receiver, `fn(&self, a)`, `args` is that
//!   argument itself (the **whole** form): `call(a)`;
//! * for any other arity, from none to six, `args` is a tuple of the arguments (the
//!   **spread** form): `call(())` for `fn(&self)`, `call((a, b))` for
//!   `fn(&self, a, b)`.
//!
//! For each method exactly one form applies, so the argument's type is inferred from
//! the method's, as for a plain call (`call(text.parse().unwrap())` works), and user
//! code never names the [`MethodFn`] trait or its form markers: they are public only
//! because they appear in `call`'s signature. (A one-element tuple `(a,)` is not a
//! spread form: it would make the two forms fit the same method, and leave an argument
//! of unknown type ambiguous. A method taking a tuple as its one argument takes it
//! whole.)
//!
//! ```
//! use weakrefs::rc::{Rc, WeakMethod};
//!
//! struct Counter(std::cell::Cell<u32>);
//! impl Counter {
//!     fn get(&self) -> u32 {
//!         self.0.get()
//!     }
//!     fn add(&self, by: u32) -> u32 {
//!         self.0.set(self.0.get() + by);
//!         self.0.get()
//!     }
//!     fn add_scaled(&self, by: u32, times: u32) -> u32 {
//!         self.add(by * times)
//!     }
//! }
//!
//! let counter = Rc::new(Counter(0.into()));
//! assert_eq!(WeakMethod::new(&counter, Counter::add).call(2), Some(2)); // whole
//! assert_eq!(WeakMethod::new(&counter, Counter::add).call("3".parse().unwrap()), Some(5));
//! assert_eq!(WeakMethod::new(&counter, Counter::add_scaled).call((2, 10)), Some(25));
//! assert_eq!(WeakMethod::new(&counter, Counter::get).call(()), Some(25));
//! ```

/// A function callable as a method of `T` with the arguments `Args`, in the form
/// `Form` ([`Whole`] or [`Spread`]); implemented for every `Fn(&T, …) -> R` of up to six
/// arguments after the receiver, in the one form that fits it. See the
/// [module docs](self).
pub trait MethodFn<T: ?Sized, Args, Form> {
    /// What the method returns.
    type Output;

    /// Calls the function with `receiver` first, then `args`.
    ///
    /// ```
    /// use weakrefs::method::{MethodFn, Spread};
    ///
    /// fn len(s: &String) -> usize {
    ///     s.len()
    /// }
    /// let f = len as fn(&String) -> usize;
    /// assert_eq!(MethodFn::<String, (), Spread>::call_method(&f, &"four".to_owned(), ()), 4);
    /// ```
    fn call_method(&self, receiver: &T, args: Args) -> Self::Output;
}

/// The form of a single argument passed as it is: `call(a)` for `fn(&self, a)`.
#[derive(Debug)]
pub enum Whole {}

/// The form of a tuple spread into the arguments: `call((a, b))` for
/// `fn(&self, a, b)`, `call(())` for `fn(&self)`; every arity but one (see [`Whole`]).
#[derive(Debug)]
pub enum Spread {}

impl<T: ?Sized, A, R, F: Fn(&T, A) -> R> MethodFn<T, A, Whole> for F {
    type Output = R;

    fn call_method(&self, receiver: &T, args: A) -> R {
        self(receiver, args)
    }
}

/// `MethodFn` in the spread form, for one arity.
macro_rules! spread {
    ($($arg:ident),*) => {
        impl<T: ?Sized, $($arg,)* R, F: Fn(&T, $($arg),*) -> R> MethodFn<T, ($($arg,)*), Spread> for F {
            type Output = R;

            #[allow(non_snake_case)]
            fn call_method(&self, receiver: &T, ($($arg,)*): ($($arg,)*)) -> R {
                self(receiver, $($arg),*)
            }
        }
    };
}

spread!();
spread!(A1, A2);
spread!(A1, A2, A3);
spread!(A1, A2, A3, A4);
spread!(A1, A2, A3, A4, A5);
spread!(A1, A2, A3, A4, A5, A6);
