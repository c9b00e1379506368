//! Load: what monitoring reads from a CycloneDX SBOM or VEX document, ours or another tool's,
//! JSON or XML, spec 1.3 to 1.6.
//!
//! The reader is deliberately tolerant: it takes the handful of fields monitoring needs
//! (the product, each component's identity and properties, each vulnerability's ids, ratings,
//! analysis and targets) and ignores the rest, so documents from other tools and other spec
//! versions read the same. The `cyclonedx-bom` crate is not used here because it reads 1.5 at
//! most and rejects documents that its strict models do not describe.

mod json;
mod xml;

use anyhow::bail;
use std::path::Path;

/// The spec versions read.
pub const SPEC_VERSIONS: [&str; 4] = ["1.3", "1.4", "1.5", "1.6"];

/// A CycloneDX document, as much of it as monitoring uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// `specVersion`.
    pub spec_version: String,
    /// `serialNumber` (`urn:uuid:...`).
    pub serial: Option<String>,
    /// `metadata.timestamp`.
    pub timestamp: Option<String>,
    /// `metadata.component`: the product the document describes.
    pub product: Option<Component>,
    /// `metadata.properties`.
    pub properties: Vec<(String, String)>,
    /// Every component, nested ones included, in document order.
    pub components: Vec<Component>,
    /// Every vulnerability.
    pub vulnerabilities: Vec<Vulnerability>,
}

/// One component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Component {
    /// `bom-ref`.
    pub bom_ref: Option<String>,
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: Option<String>,
    /// `purl`.
    pub purl: Option<String>,
    /// `properties`, as (name, value).
    pub properties: Vec<(String, String)>,
}

impl Component {
    /// The value of a property.
    pub fn property(&self, name: &str) -> Option<&str> {
        property(&self.properties, name)
    }
}

/// One vulnerability entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vulnerability {
    /// `id`.
    pub id: Option<String>,
    /// The ids of `references` (aliases).
    pub references: Vec<String>,
    /// `ratings`.
    pub ratings: Vec<Rating>,
    /// `analysis.state`.
    pub state: Option<String>,
    /// `analysis.justification`.
    pub justification: Option<String>,
    /// `affects[].ref`.
    pub affects: Vec<String>,
    /// `properties`.
    pub properties: Vec<(String, String)>,
}

impl Vulnerability {
    /// The value of a property.
    pub fn property(&self, name: &str) -> Option<&str> {
        property(&self.properties, name)
    }
}

/// One rating.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rating {
    /// `score`.
    pub score: Option<f64>,
    /// `severity`.
    pub severity: Option<String>,
    /// `vector`.
    pub vector: Option<String>,
}

/// The first value of a property in a list.
pub fn property<'a>(properties: &'a [(String, String)], name: &str) -> Option<&'a str> {
    properties.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Reads a document from its bytes: JSON when it starts with `{`, XML when it starts with `<`.
/// Errors name `file` and, where the parser gives one, the line and column.
pub fn parse(bytes: &[u8], file: &Path) -> anyhow::Result<Document> {
    let shown = crate::paths::display(file);
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let doc = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => json::parse(body, &shown)?,
        Some(b'<') => xml::parse(body, &shown)?,
        _ => bail!("{shown}: not a CycloneDX document (neither JSON nor XML)"),
    };
    if !SPEC_VERSIONS.contains(&doc.spec_version.as_str()) {
        bail!(
            "{shown}: CycloneDX {} is not read; monitoring reads spec versions {}",
            doc.spec_version,
            SPEC_VERSIONS.join(", ")
        );
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_xml_read_the_same() {
        let json = br#"{"bomFormat":"CycloneDX","specVersion":"1.4","serialNumber":"urn:uuid:1",
            "metadata":{"timestamp":"2024-01-01T00:00:00Z","component":{"bom-ref":"app","name":"app","version":"1.0.0"}},
            "components":[{"bom-ref":"pkg:cargo/a@1.0.0","name":"a","version":"1.0.0","purl":"pkg:cargo/a@1.0.0",
              "properties":[{"name":"p","value":"v"}],
              "components":[{"name":"inner","version":"0.1.0"}]}],
            "vulnerabilities":[{"id":"RUSTSEC-2099-0001","references":[{"id":"CVE-2099-1001","source":{"name":"NVD"}}],
              "ratings":[{"score":9.8,"severity":"critical","method":"CVSSv31","vector":"CVSS:3.1/AV:N"}],
              "analysis":{"state":"not_affected","justification":"code_not_reachable"},
              "affects":[{"ref":"pkg:cargo/a@1.0.0"}],"properties":[{"name":"cargo-spdf:kev","value":"true"}]}]}"#;
        let xml = br#"<?xml version="1.0"?>
            <bom xmlns="http://cyclonedx.org/schema/bom/1.4" serialNumber="urn:uuid:1" version="1">
              <metadata><timestamp>2024-01-01T00:00:00Z</timestamp>
                <tools><tool><name>other</name></tool></tools>
                <component type="application" bom-ref="app"><name>app</name><version>1.0.0</version></component>
              </metadata>
              <components>
                <component type="library" bom-ref="pkg:cargo/a@1.0.0"><name>a</name><version>1.0.0</version>
                  <purl>pkg:cargo/a@1.0.0</purl>
                  <properties><property name="p">v</property></properties>
                  <components><component type="library"><name>inner</name><version>0.1.0</version></component></components>
                </component>
              </components>
              <vulnerabilities><vulnerability>
                <id>RUSTSEC-2099-0001</id>
                <references><reference><id>CVE-2099-1001</id><source><name>NVD</name></source></reference></references>
                <ratings><rating><score>9.8</score><severity>critical</severity><method>CVSSv31</method><vector>CVSS:3.1/AV:N</vector></rating></ratings>
                <analysis><state>not_affected</state><justification>code_not_reachable</justification></analysis>
                <affects><target><ref>pkg:cargo/a@1.0.0</ref></target></affects>
                <properties><property name="cargo-spdf:kev">true</property></properties>
              </vulnerability></vulnerabilities>
            </bom>"#;
        let from_json = parse(json, Path::new("a.json")).unwrap();
        let from_xml = parse(xml, Path::new("a.xml")).unwrap();
        assert_eq!(from_json, from_xml);
        assert_eq!(from_json.components.len(), 2);
        assert_eq!(from_json.components[0].property("p"), Some("v"));
        assert_eq!(from_json.vulnerabilities[0].references, ["CVE-2099-1001"]);
        assert_eq!(from_json.product.as_ref().map(|p| p.name.as_str()), Some("app"));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err =
            parse(b"{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": 1.4\n}", Path::new("x.json"))
                .unwrap_err()
                .to_string();
        assert!(err.starts_with("x.json:3:"), "{err}");
        let err = parse(b"{\"bomFormat\":\"SPDX\"}", Path::new("x.json")).unwrap_err().to_string();
        assert!(err.contains("x.json: not a CycloneDX document"), "{err}");
        let err = parse(b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.2\"}", Path::new("x.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("CycloneDX 1.2 is not read"), "{err}");
        let err = parse(
            b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n<components>\n</bom>",
            Path::new("x.xml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("x.xml:3:"), "{err}");
    }
}
