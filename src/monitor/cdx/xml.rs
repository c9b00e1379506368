//! CycloneDX XML, any spec version from 1.3 to 1.6 (the version is the namespace's): the
//! document is read into a small element tree, and the fields monitoring uses are taken from it.

use super::{Component, Document, Rating, Vulnerability};
use anyhow::bail;
use quick_xml::events::{BytesStart, Event};

/// The namespace of CycloneDX BOMs, followed by the spec version.
const NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// One element: its local name, attributes, child elements and text.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The children `name` of the child `list` (`<properties><property/>...</properties>`).
    fn items<'a>(&'a self, list: &str, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.child(list).into_iter().flat_map(move |l| l.children(name))
    }

    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_owned())
    }

    fn attribute(&self, name: &str) -> Option<String> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

/// Parses an XML document; `shown` names the file in errors.
pub fn parse(bytes: &[u8], shown: &str) -> anyhow::Result<Document> {
    let root = tree(bytes, shown)?;
    if root.name != "bom" {
        bail!("{shown}: not a CycloneDX document (its root element is <{}>, not <bom>)", root.name);
    }
    let Some(spec_version) = root
        .attributes
        .iter()
        .filter(|(n, _)| n == "xmlns" || n.starts_with("xmlns:"))
        .find_map(|(_, v)| v.strip_prefix(NAMESPACE))
    else {
        bail!("{shown}: not a CycloneDX document (no {NAMESPACE}<version> namespace)");
    };
    let metadata = root.child("metadata");
    let mut components = Vec::new();
    if let Some(list) = root.child("components") {
        flatten(list, &mut components);
    }
    Ok(Document {
        spec_version: spec_version.to_owned(),
        serial: root.attribute("serialNumber"),
        timestamp: metadata.and_then(|m| m.text_of("timestamp")),
        product: metadata.and_then(|m| m.child("component")).map(component),
        properties: metadata.map(properties).unwrap_or_default(),
        components,
        vulnerabilities: root.items("vulnerabilities", "vulnerability").map(vulnerability).collect(),
    })
}

/// Every `<component>` of a `<components>` list, nested ones after their parent.
fn flatten(list: &Element, out: &mut Vec<Component>) {
    for c in list.children("component") {
        out.push(component(c));
        if let Some(nested) = c.child("components") {
            flatten(nested, out);
        }
    }
}

fn component(c: &Element) -> Component {
    Component {
        bom_ref: c.attribute("bom-ref"),
        name: c.text_of("name").unwrap_or_default(),
        version: c.text_of("version"),
        purl: c.text_of("purl"),
        properties: properties(c),
    }
}

/// The `<properties>` of an element, as (name, value).
fn properties(e: &Element) -> Vec<(String, String)> {
    e.items("properties", "property")
        .filter_map(|p| Some((p.attribute("name")?, p.text.trim().to_owned())))
        .collect()
}

fn vulnerability(v: &Element) -> Vulnerability {
    let analysis = v.child("analysis");
    Vulnerability {
        id: v.text_of("id"),
        references: v.items("references", "reference").filter_map(|r| r.text_of("id")).collect(),
        ratings: v
            .items("ratings", "rating")
            .map(|r| Rating {
                score: r.text_of("score").and_then(|s| s.parse().ok()),
                severity: r.text_of("severity"),
                vector: r.text_of("vector"),
            })
            .collect(),
        state: analysis.and_then(|a| a.text_of("state")),
        justification: analysis.and_then(|a| a.text_of("justification")),
        affects: v.items("affects", "target").filter_map(|t| t.text_of("ref")).collect(),
        properties: properties(v),
    }
}

/// Reads the document into an element tree; errors give the line and column.
fn tree(bytes: &[u8], shown: &str) -> anyhow::Result<Element> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut stack: Vec<Element> = Vec::new();
    let at = |pos: u64| position(bytes, pos);
    loop {
        let event = reader.read_event().map_err(|e| {
            let (line, column) = at(reader.error_position());
            anyhow::anyhow!("{shown}:{line}:{column}: not well-formed XML: {e}")
        })?;
        match event {
            Event::Start(e) => stack.push(element(&e, shown)?),
            Event::Empty(e) => {
                let e = element(&e, shown)?;
                if let Some(top) = stack.last_mut() {
                    top.children.push(e);
                } else {
                    return Ok(e);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else { bail!("{shown}: not well-formed XML") };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(c) => push_text(&mut stack, &c.xml10_content()),
            Event::GeneralRef(r) => {
                let Some(resolved) = entity(&r) else {
                    let (line, column) = at(reader.buffer_position());
                    bail!("{shown}:{line}:{column}: unknown entity &{};", &*r);
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => {
                let (line, column) = at(reader.buffer_position());
                bail!("{shown}:{line}:{column}: the document ends before its root element is closed");
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

/// A character reference or one of XML's five predefined entities (a CycloneDX document
/// declares no others).
fn entity(r: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c.to_string()),
        _ => quick_xml::escape::resolve_predefined_entity(r).map(str::to_owned),
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    }
}

/// An element's local name and attributes (names as written, values with entities resolved).
fn element(e: &BytesStart<'_>, shown: &str) -> anyhow::Result<Element> {
    let name = e.local_name().as_ref().to_owned();
    let mut attributes = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| anyhow::anyhow!("{shown}: bad attribute in <{name}>: {err}"))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| anyhow::anyhow!("{shown}: bad attribute in <{name}>: {err}"))?;
        attributes.push((a.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element { name, attributes, ..Element::default() })
}

/// 1-based line and column of a byte offset.
fn position(bytes: &[u8], pos: u64) -> (usize, usize) {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(bytes.len());
    let before = &bytes[..end];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = end - before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_and_character_references_are_resolved() {
        let xml = b"<bom xmlns:c=\"http://cyclonedx.org/schema/bom/1.6\" serialNumber=\"urn:uuid:&#x31;\">\n\
            <metadata><component><name>Pump &amp; Co &#169;</name></component></metadata></bom>";
        let doc = parse(xml, "a.xml").unwrap();
        assert_eq!((doc.spec_version.as_str(), doc.serial.as_deref()), ("1.6", Some("urn:uuid:1")));
        assert_eq!(doc.product.unwrap().name, "Pump & Co \u{a9}");
        let err = parse(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<x>&nope;</x></bom>", "a.xml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("a.xml:2:") && err.contains("unknown entity &nope;"), "{err}");
    }
}
