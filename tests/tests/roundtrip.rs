//! Every instance document under `tests/fixtures/` is read into its fixture's generated type,
//! written back, and compared with the original as XML (namespace-aware: prefixes may change,
//! meaning may not). Each test also checks a few typed values, so a reader that silently fell
//! back to defaults, or a writer that echoed its input, could not pass.

mod common;

use codegen_tests as fixtures;
use soap_runtime::{Nillable, QName};

/// `roundtrips! { test_name: "fixture/file.xml" as Type, root => |value| { checks } ... }`
/// makes one test per instance document (reading, writing, comparing, then the checks on the
/// value read) and the list [`COVERED`] of the documents they use.
macro_rules! roundtrips {
    ($(
        $(#[$attr:meta])*
        $test:ident: $file:literal as $ty:ty, $root:expr => |$value:ident| $check:block
    )*) => {
        /// The instance documents the tests below read.
        const COVERED: &[&str] = &[$($file),*];

        $(
            $(#[$attr])*
            #[test]
            fn $test() {
                let $value: $ty = common::roundtrip($file, $root);
                $check
            }
        )*
    };
}

const fn q(ns: &'static str, local: &'static str) -> QName {
    QName::qualified(ns, local)
}

roundtrips! {
    sequence_with_every_occurrence: "sequence_occurs/full.xml" as fixtures::sequence_occurs::Shipment,
        q("urn:fixture:occurs", "Shipment") => |v| {
        assert_eq!(v.reference, "SHP-0042");
        assert_eq!(v.weight, Some(1250));
        assert_eq!(v.label, ["fragile", "this side up"]);
        assert_eq!(v.scan.len(), 3);
        assert_eq!(v.signed_by, None, "signedBy was xsi:nil");
        assert_eq!(v.note, Nillable::Value("left with neighbour".to_owned()));
        assert_eq!(v.attempt, [Some(1), None, Some(3)]);
        assert_eq!(v.sequence.len(), 1);
        assert_eq!((v.sequence[0].from.as_str(), v.sequence[0].to.as_str()), ("Leeds", "York"));
    }

    sequence_with_only_required_fields: "sequence_occurs/minimal.xml" as fixtures::sequence_occurs::Shipment,
        q("urn:fixture:occurs", "Shipment") => |v| {
        assert_eq!(v.weight, None);
        assert!(v.label.is_empty());
        assert_eq!(v.signed_by.as_deref(), Some("R. Jones"));
        assert_eq!(v.attempt, [Some(1)]);
    }

    repeated_inner_sequence_keeps_its_order: "sequence_occurs/legs.xml" as fixtures::sequence_occurs::Shipment,
        q("urn:fixture:occurs", "Shipment") => |v| {
        let legs: Vec<(&str, &str)> = v.sequence.iter().map(|l| (l.from.as_str(), l.to.as_str())).collect();
        assert_eq!(legs, [("Leeds", "York"), ("York", "Hull")]);
    }

    optional_nillable_element_keeps_its_nil: "sequence_occurs/nil_optional.xml" as fixtures::sequence_occurs::Shipment,
        q("urn:fixture:occurs", "Shipment") => |v| {
        assert_eq!(v.note, Nillable::Nil);
        assert_eq!(v.weight, None);
    }

    all_group_profile: "all_group/profile.xml" as fixtures::all_group::Profile,
        q("urn:fixture:all", "Profile") => |v| {
        assert_eq!(v.nickname, "kestrel");
        assert_eq!(v.age, Some(37));
        assert!(v.verified);
    }

    all_group_made_optional_as_a_whole: "all_group/settings.xml" as fixtures::all_group::Settings,
        q("urn:fixture:all", "Settings") => |v| {
        assert_eq!(v.theme.as_deref(), Some("dark"));
        assert_eq!(v.font_size, Some(14));
    }

    choices_of_every_shape: "choice/order.xml" as fixtures::choice::Order,
        q("urn:fixture:choice", "Order") => |v| {
        use fixtures::choice::{BatchChoice, ContactChoice, PaymentChoice, PlaylistChoice};
        assert_eq!(v.payment.amount, 250);
        assert_eq!(v.payment.choice, PaymentChoice::Voucher("SPRING-24".into()));
        assert_eq!(v.contact[0].choice, Some(ContactChoice::Phone("+44 113 496 0000".into())));
        assert_eq!(v.contact[1].choice, None);
        assert_eq!(
            v.playlist.choice,
            [
                PlaylistChoice::Song("Intro".into()),
                PlaylistChoice::Jingle(7),
                PlaylistChoice::Song("Outro".into()),
                PlaylistChoice::Jingle(8),
            ]
        );
        assert_eq!(v.batch[0].choice, BatchChoice::Id(vec![11, 12, 13]));
        assert_eq!(v.batch[1].choice, BatchChoice::Everything(true));
    }

    choice_with_a_repeated_alternative: "choice/batch.xml" as fixtures::choice::Batch,
        q("urn:fixture:choice", "Batch") => |v| {
        assert_eq!(v.choice, fixtures::choice::BatchChoice::Id(vec![5]));
    }

    choice_with_a_wildcard: "choice/timetable.xml" as fixtures::choice::Timetable,
        q("urn:fixture:choice", "Timetable") => |v| {
        use fixtures::choice::TimetableChoice as T;
        let pieces: Vec<String> = v
            .choice
            .iter()
            .map(|c| match c {
                T::Arrival(at) => format!("arrival {at}"),
                T::Departure(at) => format!("departure {at}"),
                T::Any(other) => format!("any {}", other.as_str()),
            })
            .collect();
        assert_eq!(
            pieces,
            [
                "arrival 09:00",
                "any <x:delay xmlns:x=\"urn:example:extra\" minutes=\"5\"/>",
                "departure 09:10",
            ]
        );
    }

    extension_chain: "complex_content/truck.xml" as fixtures::complex_content::Truck,
        q("urn:fixture:derivation", "Truck") => |v| {
        assert_eq!((v.id, v.owner.as_deref(), v.electric), (7, Some("depot"), Some(false)));
        assert_eq!(v.tag, "TRK-7");
        assert_eq!(v.description.as_deref(), Some("long haul"));
        assert_eq!((v.wheels, v.payload), (18, 24000));
        assert_eq!(v.trailer, ["flatbed", "tanker"]);
    }

    restriction: "complex_content/tagged.xml" as fixtures::complex_content::Tagged,
        q("urn:fixture:derivation", "Tagged") => |v| {
        assert_eq!((v.id, v.tag.as_str()), (8, "BOX-8"));
    }

    derived_type_by_xsi_type: "complex_content/substituted.xml" as fixtures::complex_content::AnyAsset,
        q("urn:fixture:derivation", "Asset") => |v| {
        let fixtures::complex_content::AnyAsset::Truck(truck) = v else {
            panic!("an Asset of xsi:type Truck, read as {v:?}");
        };
        assert_eq!((truck.id, truck.tag.as_str(), truck.wheels, truck.payload), (9, "TRK-9", 6, 3500));
    }

    simple_content_with_attributes: "simple_content/invoice.xml" as fixtures::simple_content::Invoice,
        q("urn:fixture:simple-content", "Invoice") => |v| {
        use fixtures::simple_content::AnyMoney;
        let AnyMoney::Money(net) = &v.net else { panic!("net is a plain Money: {:?}", v.net) };
        assert_eq!(net.value.as_str(), "100.50");
        assert_eq!((net.currency.as_str(), net.approximate), ("GBP", Some(true)));
        assert_eq!((v.gross.value.as_str(), v.gross.rate), ("120.60", Some(20)));
        let deposit = v.deposit.as_ref().expect("a deposit");
        assert_eq!((deposit.value.as_str(), deposit.currency.as_str()), ("-5.00", "EUR"));
        assert_eq!(v.label[0].value, "Consulting & support");
        assert_eq!(v.label[0].lang.as_deref(), Some("en"));
        assert_eq!(v.label[1].lang, None);
    }

    attributes_of_every_kind: "attributes/document.xml" as fixtures::attributes::Document,
        q("urn:fixture:attributes", "Document") => |v| {
        assert_eq!(v.id, 9_007_199_254_740_993);
        assert_eq!((v.draft, v.pages), (Some(false), Some(-3)));
        assert_eq!(v.created_by, "ops \"night\" shift");
        assert_eq!(v.revision, Some(4_000_000_000));
        assert_eq!(v.stamped_at.as_ref().map(|t| t.as_str()), Some("2024-02-29T23:59:59Z"));
        assert_eq!(v.trace.as_deref(), Some("req-1<2>"));
        assert_eq!(v.title, "Minutes");
    }

    attributes_only: "attributes/marker.xml" as fixtures::attributes::Marker,
        q("urn:fixture:attributes", "Marker") => |v| {
        assert_eq!(v.at, -1);
    }

    element_refs_and_groups: "refs_and_groups/route.xml" as fixtures::refs_and_groups::Route,
        q("urn:fixture:refs", "Route") => |v| {
        let c = &v.customer;
        assert_eq!((c.street.as_str(), c.city.as_str()), ("1 Quay Street", "Hull"));
        assert_eq!(c.comment, ["rear entrance", "ring twice"]);
        assert_eq!(c.priority, None, "priority was xsi:nil");
        assert_eq!(v.depot[0].city.as_deref(), Some("Goole"));
        assert_eq!((v.depot[1].street.as_deref(), v.depot[1].city.as_deref()), (None, None));
    }

    substitution_group_member: "refs_and_groups/drawing.xml" as fixtures::refs_and_groups::Drawing,
        q("urn:fixture:refs", "Drawing") => |v| {
        use fixtures::refs_and_groups::ShapeGroup;
        assert_eq!(v.shape, [ShapeGroup::Shape("square".into()), ShapeGroup::Circle("r=4".into())]);
    }

    anonymous_types: "anonymous_types/forecast.xml" as fixtures::anonymous_types::Forecast,
        q("urn:fixture:anonymous", "Forecast") => |v| {
        use fixtures::anonymous_types::ForecastDaySky;
        assert_eq!(v.region, "Pennines");
        assert_eq!(v.day.len(), 2);
        assert_eq!(*v.day[1].offset.get(), 1);
        assert_eq!(v.day[0].sky, ForecastDaySky::Rain);
        assert_eq!(v.day[1].sky, ForecastDaySky::Clear);
        assert_eq!((v.day[0].wind.speed, v.day[0].wind.direction.as_str()), (40, "SW"));
        assert_eq!(v.day[0].summary, "Wet and windy");
    }

    enumerations_keep_unknown_values: "enumerations/tracking.xml" as fixtures::enumerations::Tracking,
        q("urn:fixture:enumerations", "Tracking") => |v| {
        use fixtures::enumerations::{Level, Status};
        assert_eq!(
            v.status,
            [
                Status::InTransit,
                Status::OnHold,
                Status::OnHold2,
                Status::Value3rdParty,
                Status::Unknown("lost-at-sea".into()),
                Status::Unknown2,
            ]
        );
        assert_eq!(v.r#final, Some(Status::Unknown("returned".into())));
        assert_eq!(v.level, Some(Level::Value2));
        assert_eq!(Status::OnHold2.as_str(), "ON_HOLD");
    }

    facets_are_not_checked_on_read: "facets/reading.xml" as fixtures::facets::Reading,
        q("urn:fixture:facets", "Reading") => |v| {
        assert_eq!(v.station.get(), "GB7ABC");
        assert_eq!(*v.humidity.get(), 87);
        assert_eq!(*v.latitude.get(), 53.8);
        assert_eq!(v.checksum.get().0, [0xDE, 0xAD, 0xBE, 0xEF]);
        assert_eq!(v.fee.as_str(), "1234.50");
    }

    lists_and_unions: "list_union/layout.xml" as fixtures::list_union::Layout,
        q("urn:fixture:list-union", "Layout") => |v| {
        use fixtures::list_union::Colour;
        assert_eq!(v.columns.0, [120, -40, 300]);
        assert_eq!(
            v.palette.0,
            [Colour::Red, Colour::Unknown("blue".into()), Colour::Green]
        );
        assert_eq!(v.flags.0, [true, false, true]);
        assert_eq!(v.width, ["640", "auto"]);
        assert_eq!(v.tokens.0, ["alpha", "beta-2", "gamma.3"]);
        assert_eq!(v.margins.as_ref().map(|m| m.0.clone()), Some(vec![4, 8, 4, 8]));
        assert_eq!(v.height.as_deref(), Some("auto"));
    }

    recursive_tree: "recursion/tree.xml" as fixtures::recursion::TreeNode,
        q("urn:fixture:recursion", "Tree") => |v| {
        let a = v.first_child.as_ref().expect("a first child");
        let a1 = a.first_child.as_ref().expect("a grandchild");
        assert_eq!((a.name.as_str(), a1.name.as_str(), a1.leaf.label.as_str()), ("a", "a1", "deep"));
        assert!(a1.first_child.is_none());
        assert_eq!(v.sibling.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["b", "c"]);
    }

    mutually_recursive_types: "recursion/section.xml" as fixtures::recursion::Section,
        q("urn:fixture:recursion", "Section") => |v| {
        let inner = v.body.aside.as_ref().expect("an aside");
        assert_eq!(inner.heading, "Inner");
        assert_eq!(inner.body.text, "inner text");
        assert!(inner.body.aside.is_none());
    }

    builtin_types: "builtins/sample.xml" as fixtures::builtins::Sample,
        q("urn:fixture:builtins", "Sample") => |v| {
        assert_eq!(v.a_string, "héllo, wörld ☃ <tag> & \"quotes\"");
        assert_eq!(v.an_int, i32::MIN);
        assert!(!v.a_boolean);
        assert_eq!(v.a_date_time.as_str(), "2024-02-29T12:30:45.125+05:30");
        assert_eq!(v.a_hex_binary.0, [0x00, 0xFF, 0x10, 0xAB]);
        assert_eq!(v.a_non_negative_integer, u128::MAX);
        assert_eq!(v.an_unsigned_short, u16::MAX);
        assert_eq!(v.an_nmtoken, "en-GB");
        assert_eq!(v.an_any_uri, "https://example.org/a?b=c&d=e");
        assert_eq!((v.a_long, v.a_short, v.a_byte), (i64::MIN, i16::MIN, i8::MIN));
        assert_eq!(v.a_decimal.as_str(), "-0.000000000000000000000000000001");
        assert_eq!((v.a_float, v.a_double), (0.1f32, -2.5e-8f64));
        assert_eq!((v.a_date.as_str(), v.a_time.as_str()), ("1999-12-31", "23:59:59.999-12:00"));
        assert_eq!(v.a_base64_binary.0, b"Hello, SOAP!");
        assert_eq!(v.an_integer, i128::MIN);
        assert_eq!((v.an_unsigned_int, v.an_unsigned_long), (u32::MAX, u64::MAX));
        assert_eq!(v.a_token, "a token");
        assert_eq!(v.a_q_name, soap_runtime::QNameValue::qualified("http://www.w3.org/2001/XMLSchema", "string"));
        assert_eq!(v.a_duration, "P1Y2M3DT4H5M6.7S");
        assert_eq!(
            v.anything.as_ref().map(|a| a.as_str()),
            Some("<free>form <b>content</b></free>")
        );
    }

    wildcards: "any_content/envelope.xml" as fixtures::any_content::Extensible,
        q("urn:fixture:any", "Envelope") => |v| {
        assert_eq!((v.version, v.core.as_str()), (Some(2), "payload"));
        assert_eq!(v.any.len(), 2);
        assert!(v.any[0].as_str().starts_with("<m:meta xmlns:m=\"urn:example:meta\""));
        let others: Vec<_> = v
            .any_attributes
            .0
            .iter()
            .map(|a| (a.ns.as_deref(), a.local.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(
            others,
            [(Some("urn:example:ext"), "trace", "abc-123"), (None, "plain", "yes")]
        );
    }

    wildcard_element_using_an_inherited_prefix: "any_content/inherited_prefix.xml" as fixtures::any_content::Extensible,
        q("urn:fixture:any", "Envelope") => |v| {
        assert_eq!(v.any.len(), 1);
        assert!(v.any[0].as_str().starts_with(r#"<m:meta xmlns:m="urn:example:meta">"#), "{:?}", v.any[0]);
    }

    mixed_content_keeps_its_text: "any_content/memo.xml" as fixtures::any_content::Memo,
        q("urn:fixture:any", "Memo") => |v| {
        use fixtures::any_content::MemoContent::{Em, Text};
        assert_eq!(
            v.content,
            [
                Text("Call ".into()),
                Em("before".into()),
                Text(" noon, or ".into()),
                Em("not at all".into()),
                Text(".".into()),
            ]
        );
    }

    awkward_names: "tricky_names/echo.xml" as fixtures::tricky_names::Echo,
        q("urn:fixture:names", "Echo") => |v| {
        assert_eq!((v.r#for.as_deref(), v.match_id), (Some("everyone"), Some(12)));
        assert_eq!((v.class.as_str(), v.r#type.as_str(), v.self_.as_str()), ("first", "text/plain", "me"));
        assert_eq!(v.super_, Some(3));
        assert_eq!(v.pdu.si_id, "si-77");
        assert!(v.pdu.field_3gpp_info.field_5g);
        assert_eq!(v.pdu.user_data.0, [0xC8, 0x32, 0x9B, 0xFD, 0x06]);
        assert_eq!(v.option.as_ref().map(|o| o.value.as_str()), Some("opt"));
        assert_eq!(v.some.as_ref().map(|s| s.n), Some(5));
        assert_eq!(v.string, Some(fixtures::tricky_names::String::B));
    }

    imports_across_files: "multi_file/order.xml" as fixtures::multi_file::Order,
        q("urn:fixture:orders", "Order") => |v| {
        assert_eq!((v.number, v.customer.as_str()), (1001, "Acme Ltd"));
        assert_eq!(v.deliver_to.line, ["Unit 4", "Mill Lane"]);
        assert_eq!(v.deliver_to.country.get(), "GB");
    }

    qualified_elements_in_two_namespaces: "qualified_namespaces/quote.xml" as fixtures::qualified_namespaces::Quote,
        q("urn:fixture:q:orders", "Quote") => |v| {
        assert_eq!((v.code.as_str(), v.code_2.as_str()), ("Q-1", "C-9"));
        assert_eq!(v.price.amount.as_str(), "19.99");
        assert_eq!(v.price.currency, "EUR");
        assert_eq!((v.channel.as_deref(), v.origin.as_deref()), (Some("web"), Some("uk")));
        assert_eq!(v.unqualified, "plain");
    }

    soap12_header_element: "soap12_headers_faults/credentials.xml" as fixtures::soap12_headers_faults::Credentials,
        q("urn:fixture:soap12", "Credentials") => |v| {
        assert_eq!((v.user.as_str(), v.token.as_str(), v.realm.as_deref()), ("ops", "t0k3n", Some("eu")));
    }

    soap12_fault_detail: "soap12_headers_faults/denied.xml" as fixtures::soap12_headers_faults::AccessDenied,
        q("urn:fixture:soap12", "AccessDenied") => |v| {
        assert_eq!((v.reason.as_str(), v.retry_after), ("locked", Some(30)));
    }

    encoded_array_of_strings: "rpc_encoded/names.xml" as fixtures::rpc_encoded::ArrayOfString,
        q("urn:fixture:rpc", "Names") => |v| {
        assert_eq!(v.items, ["Ada", "Grace", "Edsger"]);
    }

    encoded_array_of_structs: "rpc_encoded/people.xml" as fixtures::rpc_encoded::ArrayOfPerson,
        q("urn:fixture:rpc", "People") => |v| {
        assert_eq!(v.items.len(), 2);
        assert_eq!((v.items[1].name.as_str(), v.items[1].extension), ("Grace", 102));
    }

    encoded_array_keeps_its_encoding_attributes: "rpc_encoded/encoded_names.xml" as fixtures::rpc_encoded::ArrayOfString,
        q("urn:fixture:rpc", "Names") => |v| {
        assert_eq!(v.items, ["Ada", "Grace"]);
    }

    derived_types_in_every_field: "xsi_type/zoo.xml" as fixtures::xsi_type::Zoo,
        q("urn:fixture:xsi-type", "Zoo") => |v| {
        use fixtures::xsi_type::{AnyAnimal, AnyShape};
        let AnyAnimal::Puppy(star) = &v.star else { panic!("the star is a Puppy: {:?}", v.star) };
        assert_eq!((star.id, star.name.as_str(), star.breed.as_str(), star.weeks), (Some(1), "Rex", "Collie", 9));
        let kinds: Vec<&str> = v
            .resident
            .iter()
            .map(|r| match r {
                AnyAnimal::Animal(a) => a.name.as_str(),
                AnyAnimal::Dog(d) => d.breed.as_str(),
                AnyAnimal::Cat(c) => if c.indoor == Some(true) && c.lives == 9 { "indoor cat" } else { "cat" },
                AnyAnimal::Puppy(_) => "puppy",
            })
            .collect();
        assert_eq!(kinds, ["Generic", "Pug", "indoor cat"]);
        assert!(matches!(&v.visitor, Some(AnyAnimal::Animal(a)) if a.name == "Plain"));
        let signs: Vec<String> = v
            .sign
            .iter()
            .map(|s| match s {
                AnyShape::Circle(c) => format!("circle {}", c.radius),
                AnyShape::Polygon(p) => format!("polygon {}", p.sides),
                AnyShape::Triangle(t) => format!("triangle {}", t.label),
            })
            .collect();
        assert_eq!(signs, ["circle 2.5", "triangle warning", "polygon 8"]);
    }

    abstract_root_names_its_type_in_the_default_namespace: "xsi_type/shape.xml" as fixtures::xsi_type::AnyShape,
        q("urn:fixture:xsi-type", "Shape") => |v| {
        assert!(matches!(&v, fixtures::xsi_type::AnyShape::Circle(c) if c.radius == 0.5), "{v:?}");
    }

    substitution_group_members_stand_for_their_heads: "substitution_groups/order.xml" as fixtures::substitution_groups::Order,
        q("urn:fixture:subst", "Order") => |v| {
        use fixtures::substitution_groups::{AnyPayment, NoteGroup, OrderChoice, PaymentGroup};
        assert!(matches!(&v.payment, PaymentGroup::Card(c) if c.number == "4111"), "{:?}", v.payment);
        let rest: Vec<String> = v
            .payment_2
            .iter()
            .map(|p| match p {
                PaymentGroup::Card(c) => format!("card {}", c.amount),
                PaymentGroup::GiftCard(g) => format!("gift card {}", g.number),
                PaymentGroup::Voucher(AnyPayment::Payment(p)) => format!("voucher {}", p.amount),
                PaymentGroup::Voucher(other) => format!("voucher of another type {other:?}"),
            })
            .collect();
        assert_eq!(rest, ["voucher 5", "gift card GC-1", "card 1"]);
        assert_eq!(v.choice, OrderChoice::Note(NoteGroup::UrgentNote("fragile".into())));
        let extra = v.extra.as_ref().expect("an extra");
        assert_eq!(extra.note, Some(NoteGroup::Note("leave at the door".into())));
    }

    substitution_group_head_itself_and_the_other_alternative: "substitution_groups/plain_order.xml" as fixtures::substitution_groups::Order,
        q("urn:fixture:subst", "Order") => |v| {
        use fixtures::substitution_groups::OrderChoice;
        assert!(v.payment_2.is_empty() && v.extra.is_none());
        assert_eq!(v.choice, OrderChoice::Nothing(true));
    }

    array_of_arrays: "soap_arrays/lines.xml" as fixtures::soap_arrays::ArrayOfArrayOfString,
        q("urn:fixture:arrays", "Lines") => |v| {
        let lines: Vec<&[String]> = v.items.iter().map(|line| line.items.as_slice()).collect();
        assert_eq!(lines, [&["To be".to_owned(), "or not".to_owned()][..], &[][..], &["that is".to_owned()][..]]);
    }

    array_of_arrays_of_arrays: "soap_arrays/cube.xml" as fixtures::soap_arrays::Cube,
        q("urn:fixture:arrays", "Cube") => |v| {
        let cube: Vec<Vec<Vec<&str>>> = v
            .items
            .iter()
            .map(|plane| plane.items.iter().map(|row| row.items.iter().map(String::as_str).collect()).collect())
            .collect();
        assert_eq!(cube, [vec![vec!["a"], vec!["b", "c"]]]);
    }

    two_dimensional_array: "soap_arrays/matrix.xml" as fixtures::soap_arrays::Matrix,
        q("urn:fixture:arrays", "Matrix") => |v| {
        assert_eq!(v.items, [vec![1, 2, 3], vec![4, 5, 6]]);
    }

    array_of_two_dimensional_arrays: "soap_arrays/matrices.xml" as fixtures::soap_arrays::ArrayOfMatrix,
        q("urn:fixture:arrays", "Matrices") => |v| {
        let shapes: Vec<&[Vec<i32>]> = v.items.iter().map(|m| m.items.as_slice()).collect();
        assert_eq!(shapes, [&[vec![7, 8]][..], &[vec![9], vec![10]][..]]);
    }

    mixed_content_in_order: "mixed_content/article.xml" as fixtures::mixed_content::Article,
        q("urn:fixture:mixed", "Article") => |v| {
        use fixtures::mixed_content::{AnyParagraph, FootnoteContent, GreetingContent, ParagraphContent as P, RemarkContent};
        let AnyParagraph::Paragraph(first) = &v.para[0] else { panic!("a plain paragraph") };
        assert_eq!(first.lang.as_deref(), Some("en"));
        let pieces: Vec<String> = first
            .content
            .iter()
            .map(|p| match p {
                P::Text(t) => format!("text {t:?}"),
                P::B(b) => format!("b {b}"),
                P::I(i) => format!("i {i}"),
                P::Link(l) => format!("link {} {}", l.href, l.value),
                P::Any(a) => format!("any {}", a.as_str()),
            })
            .collect();
        assert_eq!(
            pieces,
            [
                "text \"Water is H\"",
                "any <m:sub xmlns:m=\"urn:example:math\">2</m:sub>",
                "text \"O, \"",
                "i not",
                "text \" <ice> & so on.\\nSee \"",
                "link https://example.org/water the page",
                "text \" \"",
                "b now",
            ]
        );
        let note = v.note.as_ref().expect("a note");
        assert_eq!(note.content.last(), Some(&FootnoteContent::Text(".".into())));
        assert!(note.content.contains(&FootnoteContent::Ref(3)));
        let greeting = v.greeting.as_ref().expect("a greeting");
        assert_eq!(
            greeting.content,
            [
                GreetingContent::Text("Dear ".into()),
                GreetingContent::Name("Ada".into()),
                GreetingContent::Text(", hello.".into()),
            ]
        );
        let remark = v.remark.as_ref().expect("a remark");
        let pieces: Vec<String> = remark
            .content
            .iter()
            .map(|p| match p {
                RemarkContent::Text(t) => format!("text {t:?}"),
                RemarkContent::Any(a) => format!("any {}", a.as_str()),
            })
            .collect();
        assert_eq!(
            pieces,
            [
                "text \"Seen by \"",
                "any <w:who xmlns:w=\"urn:example:who\">Ada</w:who>",
                "text \" today\"",
            ]
        );
    }

    repeated_groups_keep_their_interleaving: "repeated_groups/timetable.xml" as fixtures::repeated_groups::Timetable,
        q("urn:fixture:repeats", "Timetable") => |v| {
        use fixtures::repeated_groups::{TimetableChoice, TimetableChoice2};
        let pairs: Vec<(&str, Option<&str>)> =
            v.sequence.iter().map(|p| (p.key.as_str(), p.value.as_deref())).collect();
        assert_eq!(pairs, [("operator", Some("Northern")), ("draft", None), ("season", Some("winter"))]);
        let legs: Vec<String> = v
            .choice
            .iter()
            .map(|c| match c {
                TimetableChoice::From(leg) => format!("{}-{}", leg.from, leg.to),
                TimetableChoice::Break(minutes) => format!("break {minutes}"),
            })
            .collect();
        assert_eq!(legs, ["Leeds-York", "break 10", "York-Hull", "break 5", "break 15"]);
        let days: Vec<(&str, Vec<i32>)> = v
            .sequence_2
            .iter()
            .map(|d| (d.day.as_str(), d.sequence.iter().map(|r| r.platform).collect()))
            .collect();
        assert_eq!(days, [("Mon", vec![2, 3]), ("Sun", vec![]), ("Tue", vec![1])]);
        let stops: Vec<(&str, i32)> = v.sequence_3.iter().map(|s| (s.town.as_str(), s.minutes)).collect();
        assert_eq!(stops, [("Selby", 12), ("Goole", 30)]);
        assert!(matches!(&v.choice_2, TimetableChoice2::Route(r) if r.stand == "B"));
    }

    repeated_groups_left_out: "repeated_groups/train.xml" as fixtures::repeated_groups::Timetable,
        q("urn:fixture:repeats", "Timetable") => |v| {
        assert!(v.sequence.is_empty() && v.choice.is_empty() && v.sequence_2.is_empty() && v.sequence_3.is_empty());
        assert!(matches!(&v.choice_2, fixtures::repeated_groups::TimetableChoice2::Train(t) if t.train == 1234));
    }

    optional_nillable_values: "nillable/values.xml" as fixtures::nillable::Person,
        q("urn:fixture:nillable", "Person") => |v| {
        use fixtures::nillable::Colour;
        assert_eq!(v.nickname, Nillable::Value("Countess".into()));
        assert_eq!(v.born.value().map(|d| d.as_str()), Some("1815-12-10"));
        assert_eq!(v.address.value().map(|a| a.city.as_str()), Some("London"));
        assert_eq!(v.colour, Nillable::Value(Colour::Green));
        assert_eq!(v.sizes.value().map(|s| s.0.clone()), Some(vec![3, 4, 5]));
        let manager = v.manager.value().expect("a manager");
        assert_eq!((manager.nickname.is_nil(), manager.born.is_absent()), (true, true));
        assert_eq!(manager.phone, None, "a required nillable element that is nil");
        assert_eq!(v.score, [Some(1), None, Some(3)]);
    }

    optional_nillable_nils: "nillable/nils.xml" as fixtures::nillable::Person,
        q("urn:fixture:nillable", "Person") => |v| {
        assert!(v.nickname.is_nil() && v.born.is_nil() && v.address.is_nil() && v.colour.is_nil());
        assert!(v.sizes.is_nil() && v.manager.is_nil());
        assert_eq!(v.phone, None);
        assert!(v.score.is_empty());
    }

    optional_nillable_absent: "nillable/absent.xml" as fixtures::nillable::Person,
        q("urn:fixture:nillable", "Person") => |v| {
        assert!(v.nickname.is_absent() && v.born.is_absent() && v.manager.is_absent());
        assert_eq!(v.phone.as_deref(), Some("none"));
    }

    qname_values_of_every_kind: "qname_values/rule.xml" as fixtures::qname_values::Rule,
        q("urn:fixture:qnames", "Rule") => |v| {
        use soap_runtime::QNameValue;
        assert_eq!(v.kind, QNameValue::qualified("urn:example:a", "Strict"));
        assert_eq!(v.applies, QNameValue::qualified("urn:example:b", "Invoice"));
        assert_eq!(v.short, QNameValue::qualified("urn:example:a", "Order"), "a restriction is the QName itself");
        assert_eq!(
            v.also.0,
            [
                QNameValue::qualified("urn:example:a", "One"),
                QNameValue::qualified("urn:example:c", "Two"),
                QNameValue::unqualified("Plain"),
            ]
        );
        assert_eq!(v.fallback, Some(QNameValue::unqualified("Anything")));
        assert_eq!((&v.code.value, v.code.severity), (&QNameValue::qualified("urn:example:errors", "TooLate"), Some(2)));
    }

    wildcards_keep_the_namespaces_they_inherit: "any_namespaces/forward.xml" as fixtures::any_namespaces::Envelope,
        q("urn:fixture:any-ns", "Envelope") => |v| {
        assert_eq!(v.any.len(), 2);
        // Each captured element stands on its own.
        for any in &v.any {
            roxmltree::Document::parse(any.as_str()).unwrap_or_else(|e| panic!("{}: {e}", any.as_str()));
        }
        assert!(v.any[0].as_str().contains(r#"xmlns:x="urn:example:x""#), "{}", v.any[0].as_str());
        let payload = v.payload.as_ref().expect("a payload");
        assert!(payload.namespaces().iter().any(|(p, ns)| p.as_deref() == Some("m") && ns == "urn:example:meta"));
    }

    wildcard_in_an_inherited_default_namespace: "any_namespaces/default_namespace.xml" as fixtures::any_namespaces::Envelope,
        q("urn:fixture:any-ns", "Envelope") => |v| {
        let doc = roxmltree::Document::parse(v.any[0].as_str()).expect("standalone");
        let inner = doc.descendants().find(|n| n.has_tag_name("inner")).expect("inner");
        assert_eq!(inner.tag_name().namespace(), Some("urn:fixture:any-ns"));
    }

    recursion_through_every_kind_of_type: "recursive_choice/calculation.xml" as fixtures::recursive_choice::Calculation,
        q("urn:fixture:recursive-choice", "Calculation") => |v| {
        use fixtures::recursive_choice::{AnyCategory, Expr, ExprChoice, NodeGroup};
        fn eval(e: &Expr) -> i32 {
            match &*e.choice {
                ExprChoice::Literal(n) => *n,
                ExprChoice::Add(b) => eval(&b.left) + eval(&b.right),
                ExprChoice::Negate(inner) => -eval(inner),
            }
        }
        assert_eq!(eval(&v.expr), 1);
        let headings: Vec<&str> = v.outline.sequence.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["One", "Two"]);
        assert_eq!(v.outline.sequence[0].children.sequence[0].heading, "One.One");
        let NodeGroup::Branch(root) = &v.node else { panic!("a branch") };
        let Some(NodeGroup::Branch(inner)) = root.node.as_deref() else { panic!("an inner branch") };
        assert!(matches!(inner.node.as_deref(), Some(NodeGroup::Leaf(_))));
        let AnyCategory::SubCategory(sub) = &v.category else { panic!("a sub-category") };
        let AnyCategory::SubCategory(parent) = &sub.parent else { panic!("a sub-category parent") };
        assert!(matches!(&parent.parent, AnyCategory::Category(c) if c.title == "Everything"));
    }

    shared_and_chameleon_definitions: "shared_definitions/consignment.xml" as fixtures::shared_definitions::Consignment,
        q("urn:fixture:shared", "Consignment") => |v| {
        assert_eq!((v.weight.value.as_str(), v.weight.unit.as_str()), ("2.5", "kg"));
        assert_eq!((v.price.value.as_str(), v.price.unit.as_str()), ("19.99", "GBP"));
        assert_eq!((v.parcel.r#ref.code.as_str(), v.invoice.r#ref.code.as_str()), ("P-1", "I-1"));
    }

    lexical_forms_pass_through_unchanged: "conversions/booking.xml" as fixtures::conversions::Booking,
        q("urn:fixture:conversions", "Booking") => |v| {
        assert_eq!(v.made.as_str(), "2026-11-22T09:30:00.500Z");
        assert_eq!(v.price.as_str(), "+0120.50");
        assert_eq!(v.opens.as_str(), "24:00:00");
        assert_eq!(v.history[1].as_str(), "1999-12-31T23:59:59.999999999999-12:00");
    }

    vendor_request: "vendor_shape/submit_message.xml" as fixtures::vendor_shape::SubmitMessage,
        q("urn:fixture:vendor:sms.xsd", "SubmitMessage") => |v| {
        assert_eq!((v.username.value().map(String::as_str), v.pin.value().map(String::as_str)), (Some("demo"), Some("12345678")));
        let recipient = v.recipient.value().expect("a recipient");
        assert_eq!(recipient.number, ["447700900001", "447700900002"]);
        assert_eq!(recipient.route, Nillable::Value(fixtures::vendor_shape::Route::Priority));
        let message = v.message.value().expect("a message");
        assert_eq!(message.text, Nillable::Value("Your parcel is on its way".to_owned()));
        assert_eq!(message.binary, Nillable::Absent);
    }

    vendor_response: "vendor_shape/submit_message_response.xml" as fixtures::vendor_shape::SubmitMessageResponse,
        q("urn:fixture:vendor:sms.xsd", "SubmitMessageResponse") => |v| {
        assert_eq!((v.message_identifier.as_str(), v.report), ("5F2A,5F2B", 1));
        assert_eq!(v.text.value().map(String::as_str), Some("Queued for delivery"));
    }
}

/// Every `*.xml` under `tests/fixtures/` (bar the error inputs) is some test's instance
/// document, so a new one cannot be forgotten.
#[test]
fn every_instance_document_is_round_tripped() {
    let on_disk: Vec<String> = common::files_under(&common::fixture(""), ".xml")
        .into_iter()
        .filter(|f| !f.starts_with("errors/"))
        .collect();
    let mut covered: Vec<String> = COVERED.iter().map(|f| (*f).to_owned()).collect();
    covered.sort();
    assert_eq!(covered, on_disk);
}

/// The xsd:QName value's prefix is bound in the document it was read from; in the document
/// written back it must still be bound, to the same namespace.
#[test]
fn qname_values_keep_their_namespace() {
    let original = common::fixture_text("builtins/sample.xml");
    let value: fixtures::builtins::Sample =
        soap_runtime::read_document(&original).expect("the sample reads");
    let written = soap_runtime::write_document(q("urn:fixture:builtins", "Sample"), &value);
    let doc = roxmltree::Document::parse(&written).expect("the output parses");
    let qname = doc
        .descendants()
        .find(|n| n.has_tag_name("aQName"))
        .expect("an aQName element");
    assert_eq!(
        qname.lookup_namespace_uri(Some("xsd")),
        Some("http://www.w3.org/2001/XMLSchema"),
        "{written}"
    );
}

/// xsd:all lets the children come in any order: reading must not depend on it (writing uses
/// the schema's order, so this is not a round trip).
#[test]
fn all_group_children_in_any_order() {
    let shuffled = r#"<p:Profile xmlns:p="urn:fixture:all">
        <verified>false</verified><nickname>owl</nickname><age>3</age></p:Profile>"#;
    let value: fixtures::all_group::Profile =
        soap_runtime::read_document(shuffled).expect("any order reads");
    assert_eq!(
        (value.nickname.as_str(), value.age, value.verified),
        ("owl", Some(3), false)
    );
    let written = soap_runtime::write_document(q("urn:fixture:all", "Profile"), &value);
    let in_order = r#"<p:Profile xmlns:p="urn:fixture:all">
        <nickname>owl</nickname><age>3</age><verified>false</verified></p:Profile>"#;
    common::assert_same_xml(in_order, &written);
}

/// The rpc wrapper of a request (not a global element, so not a fixture file): its parts are
/// read into the binding module's message type.
#[test]
fn rpc_request_body_reads_its_parts() {
    use fixtures::rpc_encoded::directory_binding::LookupInput;
    let body = r#"<ns:Lookup xmlns:ns="urn:fixture:rpc:body"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:xsd="http://www.w3.org/2001/XMLSchema">
        <department xsi:type="xsd:string">Research</department>
        <limit xsi:type="xsd:int">25</limit>
    </ns:Lookup>"#;
    let value: LookupInput = soap_runtime::read_document(body).expect("the body reads");
    assert_eq!(
        (value.department.as_deref(), value.limit),
        (Some("Research"), Some(25))
    );
    let written = soap_runtime::write_document(q("urn:fixture:rpc:body", "Lookup"), &value);
    // Encoded parts name their types; a part without a value is written as xsi:nil.
    let expected = r#"<ns:Lookup xmlns:ns="urn:fixture:rpc:body"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
        <department xsi:type="xsd:string">Research</department><limit xsi:type="xsd:int">25</limit></ns:Lookup>"#;
    common::assert_same_xml(expected, &written);
}

/// A hostile or broken document nested far deeper than any schema means must give an error,
/// not overflow the stack (which aborts the whole process, so the read runs in a child process).
#[test]
fn deeply_nested_document_is_an_error_not_a_crash() {
    const CHILD: &str = "CODEGEN_TESTS_DEEP_READ";
    if std::env::var_os(CHILD).is_some() {
        let depth = 100_000;
        let level = "<name>n</name><leaf><label>l</label></leaf>";
        let mut xml = String::from(r#"<t:Tree xmlns:t="urn:fixture:recursion">"#);
        for _ in 0..depth {
            xml.push_str(level);
            xml.push_str("<firstChild>");
        }
        xml.push_str(level);
        xml.push_str(&"</firstChild>".repeat(depth));
        xml.push_str("</t:Tree>");
        let result = soap_runtime::read_document::<fixtures::recursion::TreeNode>(&xml);
        assert!(result.is_err(), "a nesting limit should stop the read");
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "deeply_nested_document_is_an_error_not_a_crash"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs");
    assert!(
        status.status.success(),
        "reading crashed or failed: {:?}\n{}",
        status.status,
        String::from_utf8_lossy(&status.stderr)
    );
    // The child must have run this very test, not matched nothing and passed.
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("1 passed"),
        "the child ran no test"
    );
}

/// A required element missing from the input is an error naming it, not a default value.
#[test]
fn a_missing_required_element_is_an_error() {
    let xml = r#"<t:Shipment xmlns:t="urn:fixture:occurs"><scan>x</scan></t:Shipment>"#;
    let error = soap_runtime::read_document::<fixtures::sequence_occurs::Shipment>(xml)
        .expect_err("reference is required");
    assert!(error.to_string().contains("reference"), "{error}");
}

/// The schema check must be able to fail, or the validation in every round trip would pass
/// vacuously.
#[test]
fn validation_rejects_a_document_that_breaks_the_schema() {
    if std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("xmllint not found: skipped");
        return;
    }
    // signedBy is required (nillable, but present): leaving it out breaks the schema.
    let broken = common::fixture_text("sequence_occurs/minimal.xml")
        .replace("<signedBy>R. Jones</signedBy>", "");
    let result = std::panic::catch_unwind(|| {
        common::validate("sequence_occurs/minimal.xml", "a broken copy", &broken);
    });
    assert!(
        result.is_err(),
        "xmllint accepted a document without signedBy"
    );
}

// The comparison must be able to fail, or every round trip above would pass vacuously.

#[test]
fn comparison_ignores_prefixes_whitespace_and_attribute_order() {
    let a = r#"<a:r xmlns:a="urn:x" k="1" j="2">
        <a:c>t</a:c>
    </a:r>"#;
    let b = r#"<r xmlns="urn:x" j="2" k="1"><c>t</c></r>"#;
    assert_eq!(common::xml_difference(a, b), None);
}

#[test]
fn comparison_notices_namespaces_names_order_text_and_attributes() {
    let base = r#"<r xmlns:p="urn:p" p:k="1"><a>1</a><b>2</b></r>"#;
    let different = [
        r#"<r xmlns:p="urn:q" p:k="1"><a>1</a><b>2</b></r>"#,
        r#"<r xmlns:p="urn:p" k="1"><a>1</a><b>2</b></r>"#,
        r#"<r xmlns:p="urn:p" p:k="2"><a>1</a><b>2</b></r>"#,
        r#"<r xmlns:p="urn:p" p:k="1" x="y"><a>1</a><b>2</b></r>"#,
        r#"<r xmlns:p="urn:p" p:k="1"><b>2</b><a>1</a></r>"#,
        r#"<r xmlns:p="urn:p" p:k="1"><a>1</a><b>2 </b></r>"#,
        r#"<r xmlns:p="urn:p" p:k="1"><a>1</a></r>"#,
        r#"<r xmlns:p="urn:p" p:k="1"><a>1</a><b>2</b><c/></r>"#,
        r#"<r xmlns:p="urn:p" p:k="1"><a>1</a><p:b>2</p:b></r>"#,
        r#"<p:r xmlns:p="urn:p" p:k="1"><a>1</a><b>2</b></p:r>"#,
    ];
    for other in different {
        assert!(
            common::xml_difference(base, other).is_some(),
            "{other} should differ from {base}"
        );
    }
}
