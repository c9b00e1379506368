//! `authors` entries as people: `Name <email>`, `Name <url>`, `Name email`, bare e-mail
//! addresses and URLs, several people in one string (`A <a@x.org>, B <b@y.org>`), stray or
//! unclosed brackets. An e-mail address is only ever kept when it validates (the JSON schemas'
//! `idn-email` format, held to its ASCII, dot-atom, host-name part), so the SBOM validates
//! strictly and consumers that check formats accept it; whatever is not an address or a URL stays
//! in the name, so nothing the package declares is lost.

use email_address::{EmailAddress, Options};

/// One person (or organization) an `authors` entry names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// The name as written, when there is one.
    pub name: Option<String>,
    /// A valid e-mail address.
    pub email: Option<String>,
    /// A web page (`https://...`).
    pub url: Option<String>,
}

impl Person {
    /// What to call the person: the name, else the address, else the URL.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.email.as_deref()).or(self.url.as_deref()).unwrap_or("")
    }

    /// `Name <email>`, `Name` or `email`: the legacy one-string form.
    pub fn display(&self) -> String {
        match (&self.name, &self.email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            _ => self.label().to_owned(),
        }
    }
}

/// The people of every entry, in order, without repeats.
pub fn people(entries: &[String]) -> Vec<Person> {
    let mut out: Vec<Person> = Vec::new();
    for person in entries.iter().flat_map(|e| parse(e)) {
        if !out.contains(&person) {
            out.push(person);
        }
    }
    out
}

/// The people one entry names.
pub fn parse(entry: &str) -> Vec<Person> {
    let text: String = entry.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut out = Vec::new();
    if !text.contains('<') {
        out.extend(text.split(';').filter_map(|part| person(part, None)));
        return out;
    }
    let mut name = String::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find('<') {
        name.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let (inner, next) = match after.find('>') {
            Some(close) => (&after[..close], &after[close + 1..]),
            None => (after, ""),
        };
        out.extend(person(&name, Some(inner)));
        name.clear();
        rest = next;
    }
    out.extend(person(rest, None));
    out
}

/// A person from the text before a bracket and what the bracket holds; `None` when neither
/// names anyone.
fn person(name_text: &str, inner: Option<&str>) -> Option<Person> {
    let mut p = Person::default();
    let mut extra = Vec::new();
    if let Some(inner) = inner.map(str::trim).filter(|i| !i.is_empty()) {
        let address = inner.strip_prefix("mailto:").unwrap_or(inner);
        if is_valid_email(address) {
            p.email = Some(address.to_owned());
        } else if is_web_url(inner) {
            p.url = Some(inner.to_owned());
        } else {
            extra.push(format!("({inner})"));
        }
    }
    let mut words: Vec<String> = Vec::new();
    for word in name_text.replace('>', " ").split_whitespace() {
        let bare = word.trim_matches(|c: char| "()[],;\"'".contains(c));
        let bare = bare.strip_prefix("mailto:").unwrap_or(bare);
        if p.email.is_none() && is_valid_email(bare) {
            p.email = Some(bare.to_owned());
        } else if p.url.is_none() && is_web_url(bare) {
            p.url = Some(bare.to_owned());
        } else {
            words.push(word.to_owned());
        }
    }
    words.extend(extra);
    p.name = tidy(&words.join(" "));
    (p != Person::default()).then_some(p)
}

/// A name without the separators and quotes around it (`, Bob` after a bracket, `"Jane"`).
fn tidy(name: &str) -> Option<String> {
    let mut name = name.trim_matches(|c: char| c.is_whitespace() || ",;&/|".contains(c)).trim();
    for joiner in ["and ", "And ", "AND "] {
        name = name.strip_prefix(joiner).unwrap_or(name).trim_start();
    }
    let name = name.trim_matches(|c: char| c.is_whitespace() || ",;&\"'".contains(c));
    let unbalanced = name.matches('(').count() != name.matches(')').count();
    let name = if unbalanced { name.trim_matches(|c| c == '(' || c == ')') } else { name };
    (!name.trim().is_empty()).then(|| name.trim().to_owned())
}

/// Whether `s` is an e-mail address every strict validator accepts: ASCII, a dot-atom local
/// part, and a domain of at least two host-name labels.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    let atom = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|part| !part.is_empty() && part.chars().all(atom));
    let options = Options::default().without_display_text().without_domain_literal().with_required_tld();
    local_ok && is_host_name(domain) && EmailAddress::parse_with_options(s, options).is_ok()
}

/// A DNS host name of at least two labels: letters, digits and inner hyphens, no label longer
/// than 63 characters, none with `--` in third and fourth place (those are IDNA labels).
fn is_host_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.get(2..4) != Some("--")
        })
}

/// Whether `s` is an absolute http(s) URL with a host.
pub fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: Option<&str>, email: Option<&str>, url: Option<&str>) -> Person {
        Person { name: name.map(str::to_owned), email: email.map(str::to_owned), url: url.map(str::to_owned) }
    }

    #[test]
    fn the_shapes_real_manifests_use() {
        let cases: &[(&str, Vec<Person>)] = &[
            ("Jane Doe <jane@example.org>", vec![p(Some("Jane Doe"), Some("jane@example.org"), None)]),
            ("Name <https://example.org>", vec![p(Some("Name"), None, Some("https://example.org"))]),
            ("https://github.com/jane", vec![p(None, None, Some("https://github.com/jane"))]),
            ("jane@example.org", vec![p(None, Some("jane@example.org"), None)]),
            (
                "Rich Geldreich richgel99@gmail.com",
                vec![p(Some("Rich Geldreich"), Some("richgel99@gmail.com"), None)],
            ),
            (
                "Vincent Prouillet <hello@vincentprouillet.com",
                vec![p(Some("Vincent Prouillet"), Some("hello@vincentprouillet.com"), None)],
            ),
            ("Jane Doe jane@example.org>", vec![p(Some("Jane Doe"), Some("jane@example.org"), None)]),
            (
                "Alice <alice@example.org>, Bob <bob@example.org> and Carol",
                vec![
                    p(Some("Alice"), Some("alice@example.org"), None),
                    p(Some("Bob"), Some("bob@example.org"), None),
                    p(Some("Carol"), None, None),
                ],
            ),
            (
                "Ann <ann@example.org>; <team@example.org>",
                vec![p(Some("Ann"), Some("ann@example.org"), None), p(None, Some("team@example.org"), None)],
            ),
            (
                "Daniel (dmilith) Dettlaff <dmilith@me.com>",
                vec![p(Some("Daniel (dmilith) Dettlaff"), Some("dmilith@me.com"), None)],
            ),
            ("Jane Doe (jane@example.org)", vec![p(Some("Jane Doe"), Some("jane@example.org"), None)]),
            ("Amod Malviya @amodm", vec![p(Some("Amod Malviya @amodm"), None, None)]),
            ("Jane <jane at example dot org>", vec![p(Some("Jane (jane at example dot org)"), None, None)]),
            ("Jane <jane@localhost>", vec![p(Some("Jane (jane@localhost)"), None, None)]),
            ("Jöns <jöns@exämple.org>", vec![p(Some("Jöns (jöns@exämple.org)"), None, None)]),
            ("Jane <>", vec![p(Some("Jane"), None, None)]),
            ("<mailto:jane@example.org>", vec![p(None, Some("jane@example.org"), None)]),
            ("The Rust Project Developers", vec![p(Some("The Rust Project Developers"), None, None)]),
            ("  ", vec![]),
            ("<>", vec![]),
        ];
        for (entry, expected) in cases {
            assert_eq!(&parse(entry), expected, "{entry}");
        }
    }

    #[test]
    fn only_valid_addresses_are_addresses() {
        for ok in ["a@example.org", "first.last+tag@sub.example.co.uk", "x_y@a-b.example"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "https://example.org",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@-b.org",
            "a@xn--x.org",
            "a..b@c.org",
            "\"q\"@c.org",
            "a@[127.0.0.1]",
            "",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn people_are_listed_once() {
        let list = people(&["A <a@example.org>".to_owned(), "A <a@example.org>, B".to_owned()]);
        assert_eq!(list.iter().map(Person::display).collect::<Vec<_>>(), ["A <a@example.org>", "B"]);
    }
}
