//! An optional element that may also be `xsi:nil`: three states, not two.

/// The value of an element that is both optional (`minOccurs="0"`) and `nillable="true"`.
///
/// Such an element can say three different things, and servers mean different things by them
/// (Salesforce, for one, leaves out a field it does not change and sends `xsi:nil` for a field
/// it clears). An `Option` would fold two of them together, so this enum keeps them apart:
///
/// | XML                              | Rust                  |
/// |----------------------------------|-----------------------|
/// | the element is left out          | `Nillable::Absent`    |
/// | `<name xsi:nil="true"/>`         | `Nillable::Nil`       |
/// | `<name>value</name>`             | `Nillable::Value(v)`  |
///
/// It is an enum of its own rather than `Option<Option<T>>` so that code reading it says which
/// state it means (`Some(None)` does not), and `Default` is [`Nillable::Absent`], so a message
/// built from `Default::default()` leaves the element out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nillable<T> {
    /// The element is not there.
    #[default]
    Absent,
    /// The element is there with `xsi:nil="true"`: present, and explicitly without a value.
    Nil,
    /// The element is there with a value.
    Value(T),
}

impl<T> Nillable<T> {
    /// `Absent` for `None`: an optional value that is left out when there is none.
    pub fn absent_if_none(value: Option<T>) -> Self {
        value.map_or(Self::Absent, Self::Value)
    }

    /// `Nil` for `None`: an optional value that is sent as `xsi:nil` when there is none.
    pub fn nil_if_none(value: Option<T>) -> Self {
        value.map_or(Self::Nil, Self::Value)
    }

    /// The value, if there is one (`Absent` and `Nil` both give `None`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Nil => None,
        }
    }

    /// The value, if there is one, taken out.
    pub fn into_value(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Nil => None,
        }
    }

    /// Whether the element is left out.
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// Whether the element is `xsi:nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Self::Nil)
    }

    /// The same state, borrowing the value.
    pub fn as_ref(&self) -> Nillable<&T> {
        match self {
            Self::Absent => Nillable::Absent,
            Self::Nil => Nillable::Nil,
            Self::Value(value) => Nillable::Value(value),
        }
    }

    /// The same state, borrowing what the value dereferences to (a boxed value's contents).
    pub fn as_deref(&self) -> Nillable<&T::Target>
    where
        T: std::ops::Deref,
    {
        match self {
            Self::Absent => Nillable::Absent,
            Self::Nil => Nillable::Nil,
            Self::Value(value) => Nillable::Value(value),
        }
    }

    /// The same state, with `f` applied to the value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nillable<U> {
        match self {
            Self::Absent => Nillable::Absent,
            Self::Nil => Nillable::Nil,
            Self::Value(value) => Nillable::Value(f(value)),
        }
    }
}

/// What holds a value read from an element that may be `xsi:nil`: `Option<T>`, where nil is
/// `None`, or [`Nillable<T>`], where nil is [`Nillable::Nil`] (see
/// [`crate::Element::read_nillable`]).
pub trait OrNil<T> {
    /// The element was `xsi:nil`.
    fn nil() -> Self;
    /// The element held this value.
    fn value(value: T) -> Self;
}

impl<T> OrNil<T> for Option<T> {
    fn nil() -> Self {
        None
    }

    fn value(value: T) -> Self {
        Some(value)
    }
}

impl<T> OrNil<T> for Nillable<T> {
    fn nil() -> Self {
        Self::Nil
    }

    fn value(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T> From<T> for Nillable<T> {
    /// A value to send.
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_states_stay_apart() {
        assert_eq!(Nillable::<i32>::default(), Nillable::Absent);
        assert_eq!(Nillable::absent_if_none(None::<i32>), Nillable::Absent);
        assert_eq!(Nillable::nil_if_none(None::<i32>), Nillable::Nil);
        assert_eq!(Nillable::from(3).value(), Some(&3));
        assert_eq!(Nillable::<i32>::Nil.into_value(), None);
        assert!(Nillable::<i32>::Nil.is_nil() && !Nillable::<i32>::Nil.is_absent());
        let boxed = Nillable::Value(Box::new(5));
        assert_eq!(boxed.as_deref(), Nillable::Value(&5));
        assert_eq!(boxed.map(|b| *b + 1), Nillable::Value(6));
    }
}
