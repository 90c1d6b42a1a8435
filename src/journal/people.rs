//! The people who use a shared journal: named users with a role and a token, and what each
//! role may do.
//!
//! A token is 256 random bits written as 64 hexadecimal characters; the journal keeps only
//! its SHA-256, so a stolen database gives no working token.
//!
//! A name is stored and looked up normalised ([`normalise_name`]: Unicode NFKC, then lower
//! case), so `RM1` and the full-width `ａｎａ` are the users `rm1` and `ana`; a new name whose
//! Unicode TR39 skeleton ([`skeleton`]) is that of another name (`аdm1` with a Cyrillic `а`
//! beside `adm1`) is refused, since the two would read alike in every record.
//!
//! Uses: the journal's errors and hashes.

use rand::RngExt;
use unicode_normalization::UnicodeNormalization;

use super::JournalError;

/// The length of a user token, in hexadecimal characters (256 bits).
pub const TOKEN_CHARS: usize = 64;
/// The longest user name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// How long a token works by default, in days.
pub const DEFAULT_VALID_DAYS: u32 = 365;
/// The name of the service account (`PAD_API_TOKEN`) unless `pad serve` is given another: what
/// it records is recorded under this name, and no user may take it.
pub const DEFAULT_SERVICE_NAME: &str = "service";

/// What a person does at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A relationship manager: scores applicants, records decisions and customers' contests.
    Rm,
    /// What an RM does, and reviews contested decisions (of others).
    Reviewer,
    /// Reads decisions, exports and the access log; scores and records nothing.
    Auditor,
    /// Everything, and manages users.
    Admin,
}

/// What a request or command does, for the role check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read the model, the portfolio, a client's data, recorded decisions.
    Read,
    /// Score and explain applicants.
    Score,
    /// Record decisions and customers' contests.
    Record,
    /// Record the review of a contested decision.
    Review,
    /// Read the access log.
    Audit,
    /// Add and revoke users.
    ManageUsers,
}

impl Role {
    /// Every role, in the order `--help` lists them.
    pub const ALL: [Role; 4] = [Role::Rm, Role::Reviewer, Role::Auditor, Role::Admin];

    /// The role's name as written (`rm`, `reviewer`, `auditor`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rm => "rm",
            Role::Reviewer => "reviewer",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Reads a role's name.
    pub fn parse(text: &str) -> Result<Role, JournalError> {
        Role::ALL.into_iter().find(|role| role.as_str() == text.trim()).ok_or_else(|| JournalError::Invalid {
            field: "role".into(),
            message: format!(
                "unknown role `{}`: one of rm, reviewer, auditor, admin",
                crate::domain::format::quote_external(text, 40)
            ),
        })
    }

    /// Whether this role may do `capability`.
    pub fn can(self, capability: Capability) -> bool {
        match capability {
            Capability::Read => true,
            Capability::Score | Capability::Record => matches!(self, Role::Rm | Role::Reviewer | Role::Admin),
            Capability::Review => matches!(self, Role::Reviewer | Role::Admin),
            Capability::Audit => matches!(self, Role::Auditor | Role::Admin),
            Capability::ManageUsers => self == Role::Admin,
        }
    }

    /// The roles that may do `capability`, as words for a refusal: "rm, reviewer or admin".
    pub fn needed_for(capability: Capability) -> String {
        let roles: Vec<&str> = Role::ALL.into_iter().filter(|role| role.can(capability)).map(Role::as_str).collect();
        match roles.split_last() {
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.pad(self.as_str())
    }
}

/// A user as the journal keeps them (never their token).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct User {
    /// The name decisions are recorded under.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// When they were added (UTC).
    pub created_at: String,
    /// When their token stops working (UTC).
    pub expires_at: String,
    /// When they were revoked, if they were.
    pub revoked_at: Option<String>,
}

/// Someone signed in: who, and with which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The user's name.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// Why a token was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefused {
    /// Not a token of the right form.
    #[error("a pad token is {TOKEN_CHARS} hexadecimal characters; this one has {0} characters")]
    Malformed(usize),
    /// No user has it (never issued, or replaced by a newer token).
    #[error("no user has this token")]
    Unknown,
    /// Its user was revoked.
    #[error("the token of {name} was revoked on {at}")]
    Revoked {
        /// The user.
        name: String,
        /// When.
        at: String,
    },
    /// It is past its expiry.
    #[error("the token of {name} expired on {at}: ask an admin for a new one (pad users token {name})")]
    Expired {
        /// The user.
        name: String,
        /// When.
        at: String,
    },
}

/// A fresh token: 256 random bits from the operating system's generator, in hexadecimal.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    crate::domain::format::hex(&bytes)
}

/// The form check of a token, before any lookup.
pub fn check_token_form(token: &str) -> Result<(), TokenRefused> {
    if token.len() == TOKEN_CHARS && token.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(TokenRefused::Malformed(token.chars().count()))
    }
}

/// A name as the journal compares and stores it: trimmed, Unicode NFKC (compatibility forms
/// such as full-width letters or ligatures become the plain letters), then lower case (and
/// NFKC again, which lower-casing can undo).
pub fn normalise_name(name: &str) -> String {
    let lowered = name.trim().nfkc().collect::<String>().to_lowercase();
    lowered.nfkc().collect()
}

/// The skeleton of a name (Unicode TR39, section 4): two names with one skeleton can be
/// mistaken for each other (`adm1`, `аdm1` with a Cyrillic `а`, `adml`).
pub fn skeleton(name: &str) -> String {
    unicode_security::skeleton(&normalise_name(name)).collect()
}

/// The name among `existing` that `name` can be mistaken for (same skeleton, another name),
/// if any.
pub fn confusable_with<'a>(name: &str, existing: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let normalised = normalise_name(name);
    let wanted = skeleton(&normalised);
    existing.into_iter().find(|other| normalise_name(other) != normalised && skeleton(other) == wanted)
}

/// A user name as stored: normalised ([`normalise_name`]), 1 to [`MAX_NAME_CHARS`] characters,
/// letters, digits and `.`, `-`, `_`, `@` (a login, an e-mail address).
pub fn check_name(name: &str) -> Result<String, JournalError> {
    let normalised = normalise_name(name);
    let trimmed = normalised.as_str();
    let invalid = |message: String| JournalError::Invalid { field: "name".into(), message };
    if trimmed.is_empty() {
        return Err(invalid("a user needs a name (their login, e.g. ana.martin)".into()));
    }
    let length = trimmed.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(invalid(format!("a user name has at most {MAX_NAME_CHARS} characters ({length} given)")));
    }
    if let Some(bad) = trimmed.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))) {
        return Err(invalid(format!(
            "`{}` holds {bad:?}: a user name is letters, digits and . - _ @",
            crate::domain::format::quote_external(trimmed, 40)
        )));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_can_what_their_table_says() {
        // Rows: read, score, record, review, audit, manage users.
        let table = [
            (Role::Rm, [true, true, true, false, false, false]),
            (Role::Reviewer, [true, true, true, true, false, false]),
            (Role::Auditor, [true, false, false, false, true, false]),
            (Role::Admin, [true, true, true, true, true, true]),
        ];
        let capabilities = [
            Capability::Read,
            Capability::Score,
            Capability::Record,
            Capability::Review,
            Capability::Audit,
            Capability::ManageUsers,
        ];
        for (role, allowed) in table {
            for (capability, allowed) in capabilities.iter().zip(allowed) {
                assert_eq!(role.can(*capability), allowed, "{role} {capability:?}");
            }
        }
        assert_eq!(Role::needed_for(Capability::Score), "rm, reviewer or admin");
        assert_eq!(Role::needed_for(Capability::ManageUsers), "admin");
    }

    #[test]
    fn tokens_are_64_hex_characters_and_differ() {
        let (first, second) = (new_token(), new_token());
        assert_ne!(first, second);
        assert!(check_token_form(&first).is_ok());
        assert_eq!(check_token_form("s3cret"), Err(TokenRefused::Malformed(6)));
        assert!(check_token_form(&"g".repeat(64)).is_err());
    }

    #[test]
    fn names_are_normalised_and_confusable_ones_found() {
        assert_eq!(check_name("RM1").unwrap(), "rm1");
        assert_eq!(check_name("\u{ff41}\u{ff4e}\u{ff41}").unwrap(), "ana", "full-width letters");
        assert_eq!(check_name(" Zoé ").unwrap(), "zoé");
        // "é" as one character or as "e" and a combining accent: one name.
        assert_eq!(normalise_name("Zoe\u{301}"), normalise_name("Zo\u{e9}"));
        let existing = ["rm1", "adm1", "ana"];
        assert_eq!(confusable_with("\u{430}dm1", existing), Some("adm1"), "Cyrillic a");
        assert_eq!(confusable_with("rml", existing), Some("rm1"), "l for 1");
        assert_eq!(confusable_with("\u{410}NA", existing), Some("ana"), "Cyrillic A, upper case");
        // The same name is a duplicate, not a look-alike; other names are neither.
        assert_eq!(confusable_with("RM1", existing), None);
        assert_eq!(confusable_with("rm2", existing), None);
        assert_eq!(confusable_with("anna", existing), None);
    }

    #[test]
    fn names_are_logins() {
        assert_eq!(check_name("  ana.martin@bank.fr ").unwrap(), "ana.martin@bank.fr");
        assert!(check_name("").is_err());
        assert!(check_name("ana martin").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
        assert_eq!(Role::parse("reviewer").unwrap(), Role::Reviewer);
        assert!(Role::parse("boss").unwrap_err().to_string().contains("rm, reviewer, auditor, admin"));
    }
}
