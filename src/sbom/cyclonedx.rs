//! CycloneDX serialization, and the one place that works around cyclonedx-bom 0.8.
//!
//! cyclonedx-bom 0.8.1 writes spec 1.5 at most, and three of its 1.5 outputs do not validate
//! against the official schemas:
//!
//! - JSON: `vulnerabilities[].analysis` is written with a `responses` key; the schema's key is
//!   `response`.
//! - JSON: `compositions[]` are written with a `bomRef` key; the schema's key is `bom-ref`.
//! - XML: `metadata/lifecycles` is written as the last child of `metadata`; the XSD sequence
//!   puts it right after `timestamp`.
//!
//! So the BOM is written as 1.5 and then corrected here: the two bugs fixed, and for 1.6 the
//! spec version, schema reference and XML namespace changed (1.5 documents are valid 1.6 ones
//! apart from those), `metadata.manufacture` renamed to the 1.6 `manufacturer`, and each
//! component's deprecated `author` string replaced by the 1.6 `authors` (one contact per person,
//! which cyclonedx-bom cannot model; [`super::Sbom::authors`] carries them). The tests in
//! `tests/sbom_schema.rs` validate every format and version against the official schemas in
//! `../shared/cyclonedx-schema`; when cyclonedx-bom fixes these bugs, they say so.
//!
//! cyclonedx-bom also writes strings into the XML as they are, so a control character in a
//! licence, an author or an advisory's text would make the document ill-formed. The XML is made
//! well-formed here, whatever the strings: every character XML 1.0 cannot carry (C0 controls but
//! tab, line feed and carriage return; U+FFFE, U+FFFF) is written as `\u{…}`, as
//! [`crate::text::xml`] does.

use super::Sbom;
use super::authors::Person;
use anyhow::Context as _;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};
use serde_json::Value;
use std::collections::BTreeMap;

/// Component bom-ref -> the people its `authors` name.
type Authors = BTreeMap<String, Vec<Person>>;

/// CycloneDX spec version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SpecVersion {
    /// CycloneDX 1.5.
    #[value(name = "1.5")]
    V1_5,
    /// CycloneDX 1.6.
    #[value(name = "1.6")]
    V1_6,
}

impl SpecVersion {
    /// "1.5" or "1.6".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
        }
    }
}

/// Serialization format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON.
    Json,
    /// XML.
    Xml,
}

/// Writes `doc` in `format` for `spec`, schema-valid.
pub fn write(doc: &Sbom, format: Format, spec: SpecVersion) -> anyhow::Result<Vec<u8>> {
    match format {
        Format::Json => json(doc, spec),
        Format::Xml => xml(doc, spec),
    }
}

fn json(doc: &Sbom, spec: SpecVersion) -> anyhow::Result<Vec<u8>> {
    let mut raw = Vec::new();
    doc.bom.clone().output_as_json_v1_5(&mut raw).context("cannot serialize the SBOM as JSON")?;
    let mut value: Value = serde_json::from_slice(&raw).context("cyclonedx-bom wrote invalid JSON")?;
    if spec == SpecVersion::V1_6 {
        json_authors(&mut value, &doc.authors);
    }
    let mut out = serde_json::to_vec_pretty(&fix_json(value, spec))?;
    out.push(b'\n');
    Ok(out)
}

/// 1.6: every component's (and the product's) `author` string becomes `authors`, in its place.
fn json_authors(doc: &mut Value, authors: &Authors) {
    let Some(obj) = doc.as_object_mut() else { return };
    let mut targets: Vec<&mut Value> = Vec::new();
    for (key, value) in obj.iter_mut() {
        match (key.as_str(), value) {
            ("metadata", meta) => targets.extend(meta.get_mut("component")),
            ("components", Value::Array(list)) => targets.extend(list.iter_mut()),
            _ => {}
        }
    }
    for component in targets {
        let Some(obj) = component.as_object_mut() else { continue };
        let people = obj.get("bom-ref").and_then(Value::as_str).and_then(|r| authors.get(r)).cloned();
        let Some(at) = obj.keys().position(|k| k == "author") else { continue };
        obj.shift_remove("author");
        if let Some(people) = people {
            let list: Vec<Value> = people.iter().map(contact_json).collect();
            obj.shift_insert(at, "authors".to_owned(), Value::Array(list));
        }
    }
}

/// A person as an organizational contact.
fn contact_json(p: &Person) -> Value {
    let mut c = serde_json::Map::new();
    c.insert("name".to_owned(), super::component::clean(p.label()).into());
    if let Some(email) = &p.email {
        c.insert("email".to_owned(), email.clone().into());
    }
    Value::Object(c)
}

/// `responses` -> `response`, `bomRef` -> `bom-ref`, spec version and `$schema`, and for 1.6
/// `manufacture` -> `manufacturer`.
fn fix_json(mut doc: Value, spec: SpecVersion) -> Value {
    for composition in doc.get_mut("compositions").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(obj) = composition.as_object_mut()
            && let Some(at) = obj.keys().position(|k| k == "bomRef")
            && let Some(r) = obj.shift_remove("bomRef")
        {
            obj.shift_insert(at, "bom-ref".to_owned(), r);
        }
    }
    if let Some(vulns) = doc.get_mut("vulnerabilities").and_then(Value::as_array_mut) {
        for analysis in vulns.iter_mut().filter_map(|v| v.get_mut("analysis").and_then(Value::as_object_mut))
        {
            if let Some(r) = analysis.shift_remove("responses") {
                analysis.insert("response".to_owned(), r);
            }
        }
    }
    if spec == SpecVersion::V1_6
        && let Some(meta) = doc.get_mut("metadata").and_then(Value::as_object_mut)
        && let Some(m) = meta.shift_remove("manufacture")
    {
        meta.insert("manufacturer".to_owned(), m);
    }
    let Value::Object(mut old) = doc else { return doc };
    let mut out = serde_json::Map::new();
    let version = spec.as_str();
    out.insert("$schema".to_owned(), format!("http://cyclonedx.org/schema/bom-{version}.schema.json").into());
    out.insert("bomFormat".to_owned(), old.shift_remove("bomFormat").unwrap_or_else(|| "CycloneDX".into()));
    out.insert("specVersion".to_owned(), version.into());
    old.shift_remove("specVersion");
    out.extend(old);
    Value::Object(out)
}

fn xml(doc: &Sbom, spec: SpecVersion) -> anyhow::Result<Vec<u8>> {
    let mut raw = Vec::new();
    doc.bom.clone().output_as_xml_v1_5(&mut raw).context("cannot serialize the SBOM as XML")?;
    fix_xml(&raw, spec, &doc.authors).context("cannot correct the XML written by cyclonedx-bom")
}

/// Moves `metadata/lifecycles` after `metadata/timestamp`, drops empty `detail` elements, and
/// for 1.6 renames the namespace and `metadata/manufacture` and writes `authors`.
fn fix_xml(raw: &[u8], spec: SpecVersion, authors: &Authors) -> anyhow::Result<Vec<u8>> {
    let mut events = read_events(raw)?;
    make_well_formed(&mut events);
    move_lifecycles(&mut events);
    drop_empty_details(&mut events);
    if spec == SpecVersion::V1_6 {
        xml_authors(&mut events, authors);
        to_1_6(&mut events);
    }
    let mut writer = quick_xml::Writer::new(Vec::new());
    for event in events {
        writer.write_event(event)?;
    }
    let mut out = writer.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// All events, whitespace included: the document is written back exactly as read, apart from
/// the corrections (re-indenting would change text that holds entity references).
fn read_events(raw: &[u8]) -> anyhow::Result<Vec<Event<'static>>> {
    let mut reader = quick_xml::Reader::from_reader(raw);
    let mut events = Vec::new();
    loop {
        match reader.read_event()? {
            Event::Eof => break,
            e => events.push(e.into_owned()),
        }
    }
    Ok(events)
}

/// Escapes what XML 1.0 cannot carry in every text, attribute value, CDATA section and comment,
/// and replaces a character reference to such a character with its escape.
fn make_well_formed(events: &mut [Event<'static>]) {
    for event in events.iter_mut() {
        let escaped = match &*event {
            Event::Text(t) => escape(t).map(|s| Event::Text(BytesText::from_escaped(s))),
            Event::Comment(t) => escape(t).map(|s| Event::Comment(BytesText::from_escaped(s))),
            Event::CData(t) => escape(t).map(|s| Event::CData(BytesCData::new(s))),
            Event::Start(s) => escape(s).map(|raw| Event::Start(with_content(s, raw))),
            Event::Empty(s) => escape(s).map(|raw| Event::Empty(with_content(s, raw))),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) if !crate::text::is_xml_char(c) => {
                    Some(Event::Text(BytesText::from_escaped(crate::text::xml(&c.to_string()).into_owned())))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(e) = escaped {
            *event = e;
        }
    }
}

/// The escaped text, when anything needed escaping.
fn escape(raw: &str) -> Option<String> {
    match crate::text::xml(raw) {
        std::borrow::Cow::Owned(s) => Some(s),
        std::borrow::Cow::Borrowed(_) => None,
    }
}

/// An element start with the same name and new (escaped) content.
fn with_content(start: &BytesStart<'_>, raw: String) -> BytesStart<'static> {
    let name_len = start.name().as_ref().len();
    BytesStart::from_content(raw, name_len)
}

/// `start`, moved back over the indentation before it.
fn with_indentation(events: &[Event<'_>], start: usize) -> usize {
    match start.checked_sub(1).map(|i| &events[i]) {
        Some(Event::Text(t)) if t.chars().all(char::is_whitespace) => start - 1,
        _ => start,
    }
}

/// The name of an element event, for Start, End and Empty.
fn name_of(e: &Event<'_>) -> Option<String> {
    match e {
        Event::Start(s) | Event::Empty(s) => Some(s.local_name().as_ref().to_owned()),
        Event::End(s) => Some(s.local_name().as_ref().to_owned()),
        _ => None,
    }
}

/// Index ranges `[start, end]` of every element, with its path of element names.
fn elements(events: &[Event<'_>]) -> Vec<(Vec<String>, usize, usize)> {
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(_) => stack.push((name_of(e).unwrap_or_default(), i)),
            Event::Empty(_) => {
                let mut path: Vec<String> = stack.iter().map(|(n, _)| n.clone()).collect();
                path.push(name_of(e).unwrap_or_default());
                out.push((path, i, i));
            }
            Event::End(_) => {
                let mut path: Vec<String> = stack.iter().map(|(n, _)| n.clone()).collect();
                if let Some((_, start)) = stack.pop() {
                    out.push((path.clone(), start, i));
                    path.pop();
                }
            }
            _ => {}
        }
    }
    out
}

fn find(events: &[Event<'_>], path: &[&str]) -> Option<(usize, usize)> {
    elements(events)
        .into_iter()
        .find(|(p, _, _)| p.len() == path.len() && p.iter().zip(path).all(|(a, b)| a == b))
        .map(|(_, s, e)| (s, e))
}

fn move_lifecycles(events: &mut Vec<Event<'static>>) {
    let Some((start, end)) = find(events, &["bom", "metadata", "lifecycles"]) else { return };
    let start = with_indentation(events, start);
    let block: Vec<Event<'static>> = events.drain(start..=end).collect();
    let at = match find(events, &["bom", "metadata", "timestamp"]) {
        Some((_, ts_end)) => ts_end + 1,
        None => match find(events, &["bom", "metadata"]) {
            Some((m_start, _)) => m_start + 1,
            None => return,
        },
    };
    events.splice(at..at, block);
}

fn drop_empty_details(events: &mut Vec<Event<'static>>) {
    let mut i = 0;
    while i < events.len() {
        let is_detail = |e: &Event<'_>| name_of(e).as_deref() == Some("detail");
        let end = match (&events[i], events.get(i + 1)) {
            (Event::Empty(_), _) if is_detail(&events[i]) => i,
            (Event::Start(_), Some(Event::End(_))) if is_detail(&events[i]) => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        let start = with_indentation(events, i);
        events.drain(start..=end);
        i = start;
    }
}

/// 1.6: the `author` element of every component becomes an `authors` element in its place (the
/// 1.6 XSD puts `authors` right before `author`), with one `author` contact per person.
fn xml_authors(events: &mut Vec<Event<'static>>, authors: &Authors) {
    let mut stack: Vec<(String, Option<String>, usize)> = Vec::new();
    let mut found: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(s) => {
                let reference = s.try_get_attribute("bom-ref").ok().flatten().and_then(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
                });
                stack.push((name_of(e).unwrap_or_default(), reference, i));
            }
            Event::End(_) => {
                let Some((name, _, start)) = stack.pop() else { continue };
                if name == "author" && stack.last().is_some_and(|(parent, _, _)| parent == "component") {
                    found.push((start, i, stack.last().and_then(|(_, r, _)| r.clone())));
                }
            }
            _ => {}
        }
    }
    for (start, end, reference) in found.into_iter().rev() {
        let people = reference.as_ref().and_then(|r| authors.get(r));
        let replacement = people.map(|p| authors_events(p)).unwrap_or_default();
        let start = if people.is_none() { with_indentation(events, start) } else { start };
        events.splice(start..=end, replacement);
    }
}

/// `<authors><author><name>…</name><email>…</email></author>…</authors>`.
fn authors_events(people: &[Person]) -> Vec<Event<'static>> {
    let element = |name: &'static str, text: String| {
        [
            Event::Start(BytesStart::new(name)),
            Event::Text(BytesText::new(&crate::text::xml(&text)).into_owned()),
            Event::End(BytesEnd::new(name)),
        ]
    };
    let mut out = vec![Event::Start(BytesStart::new("authors"))];
    for p in people {
        out.push(Event::Start(BytesStart::new("author")));
        out.extend(element("name", super::component::clean(p.label())));
        if let Some(email) = &p.email {
            out.extend(element("email", email.clone()));
        }
        out.push(Event::End(BytesEnd::new("author")));
    }
    out.push(Event::End(BytesEnd::new("authors")));
    out
}

fn to_1_6(events: &mut [Event<'static>]) {
    const NS_1_5: &str = "http://cyclonedx.org/schema/bom/1.5";
    let manufacture = find(events, &["bom", "metadata", "manufacture"]);
    for (i, event) in events.iter_mut().enumerate() {
        if let Event::Start(start) | Event::Empty(start) = event {
            if start.attributes().flatten().any(|a| a.value.as_ref() == NS_1_5) {
                *start = renamespace(start);
            }
            if manufacture.is_some_and(|(s, _)| s == i) {
                start.set_name("manufacturer");
            }
        }
        if let Event::End(end) = event
            && manufacture.is_some_and(|(_, e)| e == i)
        {
            *end = quick_xml::events::BytesEnd::new("manufacturer");
        }
    }
}

fn renamespace(start: &BytesStart<'_>) -> BytesStart<'static> {
    let mut out = BytesStart::new(start.name().as_ref().to_owned());
    for attr in start.attributes().flatten() {
        let value = match attr.value.as_ref() {
            "http://cyclonedx.org/schema/bom/1.5" => "http://cyclonedx.org/schema/bom/1.6",
            other => other,
        };
        out.push_attribute((attr.key.as_ref(), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <metadata>
    <timestamp>2024-05-01T12:00:00Z</timestamp>
    <manufacture>
      <name>A &amp; B &lt;Devices&gt;</name>
    </manufacture>
    <lifecycles>
      <lifecycle>
        <phase>build</phase>
      </lifecycle>
    </lifecycles>
  </metadata>
  <vulnerabilities>
    <vulnerability>
      <detail></detail>
      <description>x &lt; y &amp;&amp; z</description>
    </vulnerability>
  </vulnerabilities>
</bom>
"#;

    #[test]
    fn xml_corrections() {
        let none = Authors::new();
        let out = String::from_utf8(fix_xml(RAW.as_bytes(), SpecVersion::V1_5, &none).unwrap()).unwrap();
        let ts = out.find("<timestamp>").unwrap();
        let lc = out.find("<lifecycles>").unwrap();
        let mf = out.find("<manufacture>").unwrap();
        assert!(ts < lc && lc < mf, "{out}");
        assert!(!out.contains("<detail"), "{out}");
        assert!(out.contains("<name>A &amp; B &lt;Devices&gt;</name>"), "{out}");
        assert!(out.contains("<description>x &lt; y &amp;&amp; z</description>"), "{out}");

        let out = String::from_utf8(fix_xml(RAW.as_bytes(), SpecVersion::V1_6, &none).unwrap()).unwrap();
        assert!(out.contains(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">"#), "{out}");
        assert!(
            out.contains("<manufacturer>")
                && out.contains("</manufacturer>")
                && !out.contains("<manufacture>")
        );
    }

    #[test]
    fn the_xml_is_made_well_formed_whatever_the_strings() {
        let raw = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" version=\"1\">\
                   <name a=\"x\u{1b}y\">e\u{1b}[31m\u{0}\u{fffe}\t&amp;\n\r&#x1b;&#65;</name><!-- \u{7} --></bom>";
        let out =
            String::from_utf8(fix_xml(raw.as_bytes(), SpecVersion::V1_5, &Authors::new()).unwrap()).unwrap();
        assert!(out.chars().all(crate::text::is_xml_char), "{out:?}");
        assert!(
            out.contains("<name a=\"x\\u{1b}y\">e\\u{1b}[31m\\u{0}\\u{fffe}\t&amp;\n\r\\u{1b}&#65;</name>"),
            "{out}"
        );
        assert!(out.contains("<!-- \\u{7} -->"), "{out}");
    }

    #[test]
    fn json_corrections() {
        let raw = serde_json::json!({
            "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "metadata": {"manufacture": {"name": "A"}},
            "compositions": [{"bomRef": "c", "aggregate": "complete"}],
            "vulnerabilities": [{"id": "X", "analysis": {"state": "not_affected", "responses": ["will_not_fix"]}}]
        });
        let fixed = fix_json(raw, SpecVersion::V1_6);
        assert_eq!(fixed["$schema"], "http://cyclonedx.org/schema/bom-1.6.schema.json");
        assert_eq!(fixed["specVersion"], "1.6");
        assert_eq!(fixed["vulnerabilities"][0]["analysis"]["response"][0], "will_not_fix");
        assert!(fixed["vulnerabilities"][0]["analysis"].get("responses").is_none());
        assert_eq!(fixed["metadata"]["manufacturer"]["name"], "A");
        assert_eq!(fixed["compositions"][0], serde_json::json!({"bom-ref": "c", "aggregate": "complete"}));
        let keys: Vec<_> = fixed.as_object().unwrap().keys().take(3).cloned().collect();
        assert_eq!(keys, ["$schema", "bomFormat", "specVersion"]);
    }
}
