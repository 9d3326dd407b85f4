//! Multi-reference resolution of an Apache Axis style answer: an array of `n` structs, each a
//! `multiRef` referred to once, as Axis writes every struct.
//!
//! ```sh
//! cargo bench -p soap-runtime --bench multiref
//! ```

use soap_runtime::multiref::resolve;

fn main() {
    divan::main();
}

/// An encoded body whose array holds `n` references, each to a struct of its own.
fn axis_answer(n: usize) -> String {
    let mut xml = String::from(concat!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
        r#"xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" "#,
        r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>"#,
        r##"<ns1:LookupResponse xmlns:ns1="urn:bench"><people href="#id0"/></ns1:LookupResponse>"##,
    ));
    xml.push_str(&format!(
        r#"<multiRef id="id0" soapenc:root="0" xsi:type="soapenc:Array" soapenc:arrayType="ns2:Person[{n}]" xmlns:ns2="urn:bench">"#
    ));
    for i in 1..=n {
        xml.push_str(&format!(r##"<item href="#id{i}"/>"##));
    }
    xml.push_str("</multiRef>");
    for i in 1..=n {
        xml.push_str(&format!(
            r#"<multiRef id="id{i}" soapenc:root="0" xsi:type="ns3:Person" xmlns:ns3="urn:bench"><name xsi:type="xsd:string">Person {i}</name><extension xsi:type="xsd:int">{i}</extension></multiRef>"#
        ));
    }
    xml.push_str("</soapenv:Body></soapenv:Envelope>");
    xml
}

#[divan::bench(args = [10, 350, 10_000])]
fn axis(bencher: divan::Bencher, n: usize) {
    let xml = axis_answer(n);
    bencher.bench(|| resolve(divan::black_box(&xml)).expect("it resolves").len());
}
