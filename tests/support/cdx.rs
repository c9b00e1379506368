//! Validation of CycloneDX documents against the official schemas in ../shared/cyclonedx-schema,
//! offline.

use std::path::PathBuf;

fn schema_dir() -> PathBuf {
    super::shared().join("cyclonedx-schema")
}

fn load(file: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(schema_dir().join(file)).unwrap()).unwrap()
}

/// Every error of a JSON document against the official CycloneDX `version` schema ("1.5" or
/// "1.6"); empty when valid. Formats (URIs, dates, e-mail addresses) are checked too.
pub fn json_errors(doc: &serde_json::Value, version: &str) -> Vec<String> {
    // The BOM schema refers to the SPDX and JSF schemas by relative file name, which resolves to
    // http://cyclonedx.org/schema/<file>; register the local copies under those URIs.
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json", load("spdx.SNAPSHOT.schema.json"))
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
            load("jsf-0.82.SNAPSHOT.schema.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let schema = load(&format!("bom-{version}.SNAPSHOT.schema.json"));
    let validator = jsonschema::options()
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official schema compiles");
    validator.iter_errors(doc).map(|e| format!("{} at {}: {e}", e.schema_path(), e.instance_path())).collect()
}
