//! Property tests of the shapes the fixtures' documents show one of each: any number of items,
//! any mix of derived types, nil in any place, any interleaving of repeated groups and of
//! mixed content, fault details of derived types. Each value is written, read back, and must
//! be what was written.

use codegen_tests as fixtures;
use proptest::collection::vec;
use proptest::prelude::*;
use soap_runtime::{Nillable, QName, XmlValue};

/// Text with what XML must escape, whitespace that must survive, and more than ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 &<>\"'é☃\t\n\r]{0,12}"
}

/// Text that is not empty (mixed content cannot tell an empty run of text from none).
fn some_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 &<>\"'é☃\n]{1,12}"
}

fn round_trip<T: XmlValue + PartialEq + std::fmt::Debug>(root: QName, value: &T) -> T {
    let xml = soap_runtime::write_document(root, value);
    soap_runtime::read_document(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

fn nillable<T: Clone + std::fmt::Debug>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Nillable<T>> {
    prop_oneof![
        Just(Nillable::Absent),
        Just(Nillable::Nil),
        value.prop_map(Nillable::Value),
    ]
}

mod xsi_type {
    use super::*;
    use fixtures::xsi_type::{
        Animal, AnyAnimal, AnyFault, AnyShape, Cat, Circle, Dog, Fault as ZooFault, NotFound,
        Polygon, Puppy, Triangle, Zoo,
    };

    fn animal() -> impl Strategy<Value = AnyAnimal> {
        let id = proptest::option::of(any::<i32>());
        prop_oneof![
            (id.clone(), text())
                .prop_map(|(id, name)| AnyAnimal::Animal(Box::new(Animal { id, name }))),
            (id.clone(), text(), text())
                .prop_map(|(id, name, breed)| AnyAnimal::Dog(Box::new(Dog { id, name, breed }))),
            (id.clone(), text(), text(), any::<i32>()).prop_map(|(id, name, breed, weeks)| {
                AnyAnimal::Puppy(Box::new(Puppy {
                    id,
                    name,
                    breed,
                    weeks,
                }))
            }),
            (
                id,
                proptest::option::of(any::<bool>()),
                text(),
                any::<i32>()
            )
                .prop_map(|(id, indoor, name, lives)| AnyAnimal::Cat(Box::new(Cat {
                    id,
                    indoor,
                    name,
                    lives
                }))),
        ]
    }

    fn shape() -> impl Strategy<Value = AnyShape> {
        prop_oneof![
            (text(), -1e9f64..1e9)
                .prop_map(|(label, radius)| AnyShape::Circle(Box::new(Circle { label, radius }))),
            (text(), any::<i32>())
                .prop_map(|(label, sides)| AnyShape::Polygon(Box::new(Polygon { label, sides }))),
            text().prop_map(|label| AnyShape::Triangle(Box::new(Triangle { label, sides: 3 }))),
        ]
    }

    proptest! {
        #[test]
        fn any_mix_of_derived_types(
            star in animal(),
            resident in vec(animal(), 0..8),
            visitor in proptest::option::of(animal()),
            sign in vec(shape(), 0..6),
        ) {
            let zoo = Zoo { star, resident, visitor, sign };
            prop_assert_eq!(round_trip(QName::qualified("urn:fixture:xsi-type", "Zoo"), &zoo), zoo);
        }

        #[test]
        fn any_fault_detail_of_a_derived_type(message in text(), key in proptest::option::of(text())) {
            use fixtures::xsi_type::zoo_binding::{Visit, VisitFault};
            use soap_runtime::envelope::{read_response, write_fault, EnvelopeError, Fault};
            let detail = match key {
                Some(key) => AnyFault::NotFound(Box::new(NotFound { message, key })),
                None => AnyFault::Fault(Box::new(ZooFault { message })),
            };
            let fault = Fault::server("failed").with_detail(VisitFault::Failed(detail));
            for version in [soap_runtime::SoapVersion::Soap11, soap_runtime::SoapVersion::Soap12] {
                let envelope = write_fault(version, &fault);
                let read = match read_response::<Visit>(&envelope) {
                    Err(EnvelopeError::Fault(read)) => read,
                    other => panic!("a fault, not {other:?}: {envelope}"),
                };
                prop_assert_eq!(&read.detail, &fault.detail);
            }
        }
    }
}

mod nil {
    use super::*;
    use fixtures::nillable::{Address, Colour, Person, Sizes};

    fn person(depth: u32) -> BoxedStrategy<Person> {
        let manager = if depth == 0 {
            Just(Nillable::Absent).boxed()
        } else {
            nillable(person(depth - 1).prop_map(Box::new)).boxed()
        };
        (
            text(),
            nillable(text()),
            nillable(
                prop_oneof![Just("2024-02-29"), Just("1815-12-10Z")]
                    .prop_map(|d| soap_runtime::Date::new(d).unwrap()),
            ),
            nillable(text().prop_map(|city| Address { city })),
            nillable(prop_oneof![Just(Colour::Red), Just(Colour::Green)]),
            nillable(vec(any::<i32>(), 0..4).prop_map(soap_runtime::List)),
            manager,
            proptest::option::of(text()),
            vec(proptest::option::of(any::<i32>()), 0..5),
        )
            .prop_map(
                |(name, nickname, born, address, colour, sizes, manager, phone, score)| Person {
                    name,
                    nickname,
                    born,
                    address,
                    colour,
                    sizes: sizes.map(|s: Sizes| s),
                    manager,
                    phone,
                    score,
                },
            )
            .boxed()
    }

    proptest! {
        #[test]
        fn nil_absent_or_a_value_anywhere(person in person(2)) {
            prop_assert_eq!(round_trip(QName::qualified("urn:fixture:nillable", "Person"), &person), person);
        }
    }
}

mod repeats {
    use super::*;
    use fixtures::repeated_groups::{
        Timetable, TimetableChoice, TimetableChoice2, TimetableChoice2Route, TimetableChoice2Train,
        TimetableChoiceFrom, TimetableSequence, TimetableSequence2, TimetableSequence2Sequence,
        TimetableSequence3,
    };

    fn time() -> impl Strategy<Value = soap_runtime::Time> {
        (0u32..24, 0u32..60)
            .prop_map(|(h, m)| soap_runtime::Time::new(&format!("{h:02}:{m:02}:00")).unwrap())
    }

    fn timetable() -> impl Strategy<Value = Timetable> {
        (
            text(),
            vec(
                (text(), proptest::option::of(text()))
                    .prop_map(|(key, value)| TimetableSequence { key, value }),
                0..5,
            ),
            vec(
                prop_oneof![
                    (text(), text()).prop_map(|(from, to)| TimetableChoice::From(
                        TimetableChoiceFrom { from, to }
                    )),
                    any::<i32>().prop_map(TimetableChoice::Break),
                ],
                0..6,
            ),
            vec(
                (
                    text(),
                    vec(
                        (time(), any::<i32>()).prop_map(|(departs, platform)| {
                            TimetableSequence2Sequence { departs, platform }
                        }),
                        0..3,
                    ),
                )
                    .prop_map(|(day, sequence)| TimetableSequence2 { day, sequence }),
                0..4,
            ),
            vec(
                (text(), any::<i32>())
                    .prop_map(|(town, minutes)| TimetableSequence3 { town, minutes }),
                0..4,
            ),
            prop_oneof![
                (any::<i32>(), text()).prop_map(|(train, car)| TimetableChoice2::Train(
                    TimetableChoice2Train { train, car }
                )),
                (text(), text()).prop_map(|(route, stand)| TimetableChoice2::Route(
                    TimetableChoice2Route { route, stand }
                )),
            ],
        )
            .prop_map(
                |(line, sequence, choice, sequence_2, sequence_3, choice_2)| Timetable {
                    line,
                    sequence,
                    choice,
                    sequence_2,
                    sequence_3,
                    choice_2,
                },
            )
    }

    proptest! {
        #[test]
        fn any_interleaving_of_repeated_groups(timetable in timetable()) {
            prop_assert_eq!(round_trip(QName::qualified("urn:fixture:repeats", "Timetable"), &timetable), timetable);
        }
    }
}

mod mixed {
    use super::*;
    use fixtures::mixed_content::{
        AnyParagraph, Article, Link, Paragraph, ParagraphContent as P, Remark, RemarkContent,
    };

    /// Consecutive runs of text are one run once written: what reading gives back.
    fn merged(pieces: Vec<P>) -> Vec<P> {
        let mut out: Vec<P> = Vec::new();
        for piece in pieces {
            match (out.last_mut(), piece) {
                (Some(P::Text(so_far)), P::Text(more)) => so_far.push_str(&more),
                (_, piece) => out.push(piece),
            }
        }
        out
    }

    fn piece() -> impl Strategy<Value = P> {
        prop_oneof![
            some_text().prop_map(P::Text),
            text().prop_map(P::B),
            text().prop_map(P::I),
            (text(), text()).prop_map(|(href, value)| P::Link(Link { href, value })),
        ]
    }

    proptest! {
        #[test]
        fn any_mix_of_text_and_elements(
            paragraphs in vec(vec(piece(), 0..10), 1..4),
            title in text(),
            remark in proptest::option::of(some_text()),
        ) {
            let article = Article {
                title,
                para: paragraphs
                    .into_iter()
                    .map(|pieces| AnyParagraph::Paragraph(Box::new(Paragraph { lang: None, content: merged(pieces) })))
                    .collect(),
                note: None,
                greeting: None,
                remark: remark.map(|text| Remark { content: vec![RemarkContent::Text(text)] }),
            };
            prop_assert_eq!(round_trip(QName::qualified("urn:fixture:mixed", "Article"), &article), article);
        }
    }
}

mod arrays {
    use super::*;
    use fixtures::soap_arrays::{ArrayOfArrayOfString, ArrayOfArrayOfStringItem, Matrix};

    proptest! {
        #[test]
        fn any_array_of_arrays(lines in vec(vec(text(), 0..4), 0..5)) {
            let value = ArrayOfArrayOfString {
                items: lines.into_iter().map(|items| ArrayOfArrayOfStringItem { items }).collect(),
            };
            prop_assert_eq!(round_trip(QName::qualified("urn:fixture:arrays", "Lines"), &value), value);
        }

        #[test]
        fn any_two_dimensional_array((rows, columns) in (1usize..5, 1usize..5), seed in any::<i32>()) {
            let items = (0..rows)
                .map(|r| (0..columns).map(|c| seed.wrapping_add((r * columns + c) as i32)).collect())
                .collect();
            let value = Matrix { items };
            prop_assert_eq!(round_trip(QName::qualified("urn:fixture:arrays", "Matrix"), &value), value);
        }
    }
}
