//! CPython versions as the catalogue talks about them ("3.9", "3.13").

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A `major.minor` CPython version; ordering is numeric, so 3.10 > 3.9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyVersion {
    pub major: u16,
    pub minor: u16,
}

impl PyVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }
}

impl fmt::Display for PyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("`{0}` is not a Python version like \"3.11\"")]
pub struct BadPyVersion(pub String);

impl FromStr for PyVersion {
    type Err = BadPyVersion;

    /// Accepts "3.11" and also "3.11.7" (the patch level is ignored: demos and snippets
    /// are checked per minor version).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadPyVersion(s.to_string());
        let mut parts = s.trim().split('.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if let Some(patch) = parts.next() {
            if patch.parse::<u32>().is_err() {
                return Err(bad());
            }
        }
        if parts.next().is_some() || major != 3 {
            return Err(bad());
        }
        Ok(Self { major, minor })
    }
}

impl Serialize for PyVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PyVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_numerically_not_lexically() {
        let v39: PyVersion = "3.9".parse().unwrap();
        let v310: PyVersion = "3.10".parse().unwrap();
        assert!(v310 > v39);
    }

    #[test]
    fn accepts_patch_level_and_rejects_garbage() {
        assert_eq!("3.11.7".parse::<PyVersion>(), Ok(PyVersion::new(3, 11)));
        assert!("2.7".parse::<PyVersion>().is_err());
        assert!("three".parse::<PyVersion>().is_err());
        assert!("3".parse::<PyVersion>().is_err());
        assert!("3.1x".parse::<PyVersion>().is_err());
    }
}
