//! Ed25519 signatures over a bundle's `SHA256SUMS`. Keys are PKCS#8 PEM files as `openssl genpkey
//! -algorithm ed25519` writes them (and `openssl pkey -pubout` for the public key); the signature
//! file holds the raw 64-byte signature, so `openssl pkeyutl -verify -pubin -inkey key.pub.pem
//! -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig` checks it too.

use anyhow::{Context as _, bail};
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use std::path::Path;

/// Reads a PKCS#8 PEM private key.
pub fn signing_key(path: &Path) -> anyhow::Result<SigningKey> {
    let shown = crate::paths::display(path);
    let pem = crate::fsread::read_to_string(path, crate::fsread::limit::CONFIG)
        .with_context(|| format!("cannot read the signing key {shown}"))?;
    SigningKey::from_pkcs8_pem(&pem)
        .map_err(|e| anyhow::anyhow!("{shown} is not an Ed25519 private key in PKCS#8 PEM form ({e})"))
}

/// Reads a PEM public key (SubjectPublicKeyInfo).
pub fn verifying_key(path: &Path) -> anyhow::Result<VerifyingKey> {
    let shown = crate::paths::display(path);
    let pem = crate::fsread::read_to_string(path, crate::fsread::limit::CONFIG)
        .with_context(|| format!("cannot read the public key {shown}"))?;
    VerifyingKey::from_public_key_pem(&pem)
        .map_err(|e| anyhow::anyhow!("{shown} is not an Ed25519 public key in PEM form ({e})"))
}

/// Signs `message`.
pub fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    key.sign(message).to_bytes().to_vec()
}

/// Checks a raw 64-byte signature.
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> anyhow::Result<()> {
    let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
        bail!("the signature is {} bytes long; an Ed25519 signature has 64", signature.len());
    };
    key.verify(message, &Signature::from_bytes(&bytes))
        .map_err(|e| anyhow::anyhow!("the signature does not match SHA256SUMS and this key ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // An RFC 8410 example key pair.
    const PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    const PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";

    #[test]
    fn sign_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k.pem"), PRIVATE).unwrap();
        std::fs::write(dir.path().join("k.pub.pem"), PUBLIC).unwrap();
        let key = signing_key(&dir.path().join("k.pem")).unwrap();
        let public = verifying_key(&dir.path().join("k.pub.pem")).unwrap();
        let sig = sign(&key, b"abc  file\n");
        assert_eq!(sig.len(), 64);
        verify(&public, b"abc  file\n", &sig).unwrap();
        assert!(verify(&public, b"abd  file\n", &sig).is_err());
        std::fs::write(dir.path().join("bad.pem"), "not a key").unwrap();
        assert!(signing_key(&dir.path().join("bad.pem")).unwrap_err().to_string().contains("bad.pem"));
    }
}
