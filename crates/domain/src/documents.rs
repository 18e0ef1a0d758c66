//! Uploaded documents (ticket attachments, identity documents for KYC and for appeals): one way to recognise a file by its bytes, check a request's files against its rules and describe them as stored.

use crate::identity::UnixSeconds;
use crate::ids::new_id;

/// What the content of a file says it is; the name a browser sent is never trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Png,
    Jpeg,
    Pdf,
}

impl FileKind {
    /// Recognises a file by its first bytes (its "magic number").
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else {
            None
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Pdf => "application/pdf",
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
            FileKind::Pdf => "pdf",
        }
    }
}

/// A file as uploaded.
#[derive(Clone, Debug)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A stored document's description; its bytes are read separately.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentInfo {
    /// `att_…` for a ticket's attachment, `doc_…` for an identity document.
    pub id: String,
    /// What it belongs to: a ticket (`tkt_…`), a verification request (`kyc_…`) or an appeal
    /// (`apl_…`).
    pub owner_id: String,
    /// The ticket reply it came with; `None` for everything else.
    pub message_id: Option<String>,
    pub file_name: String,
    /// The type its bytes were recognised as.
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: UnixSeconds,
}

/// A document with its bytes.
pub type StoredDocument = (DocumentInfo, Vec<u8>);

/// Why a request's files were refused; each area names it with its own error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    #[error("no file was attached")]
    Missing,
    #[error("too many files")]
    TooMany,
    #[error("a file is larger than allowed")]
    TooLarge,
    /// The content is not PNG, JPEG or PDF, whatever its name says.
    #[error("a file is not PNG, JPEG or PDF")]
    TypeRefused,
}

/// How the name a browser sent becomes the stored one.
#[derive(Clone, Copy, Debug)]
pub enum FileNames {
    /// The last path segment without control characters or quotes, at most 120 characters;
    /// `<fallback>.<ext>` when nothing is left.
    AsSent { fallback: &'static str },
    /// Letters, digits, dashes and underscores of the stem only, at most 60, with the extension
    /// of what the bytes really are; `<fallback>.<ext>` when nothing is left.
    SafeStem { fallback: &'static str },
}

impl FileNames {
    /// A file name safe to show and to send back in `Content-Disposition`.
    pub fn clean(self, name: &str, kind: FileKind) -> String {
        let last_segment = name.rsplit(['/', '\\']).next().unwrap_or_default();
        match self {
            FileNames::AsSent { fallback } => {
                let cleaned: String = last_segment
                    .chars()
                    .filter(|c| !c.is_control() && *c != '"')
                    .take(120)
                    .collect();
                if cleaned.trim().is_empty() {
                    format!("{fallback}.{}", kind.extension())
                } else {
                    cleaned
                }
            }
            FileNames::SafeStem { fallback } => {
                let stem: String = last_segment
                    .split('.')
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .take(60)
                    .collect();
                let stem = if stem.is_empty() { fallback } else { &stem };
                format!("{stem}.{}", kind.extension())
            }
        }
    }
}

/// What one area accepts: how many files, how large, whether one is required, how they are
/// named and what their ids start with.
#[derive(Clone, Copy, Debug)]
pub struct UploadRules {
    pub count_max: usize,
    pub bytes_max: usize,
    /// At least one file.
    pub required: bool,
    pub names: FileNames,
    /// The stored documents' id prefix.
    pub id_prefix: &'static str,
}

impl UploadRules {
    /// Checks every upload before anything is written (a refused file refuses the whole
    /// request): how many, how large, and what their bytes are.
    pub fn check(&self, uploads: &[Upload]) -> Result<Vec<FileKind>, UploadRefusal> {
        if self.required && uploads.is_empty() {
            return Err(UploadRefusal::Missing);
        }
        if uploads.len() > self.count_max {
            return Err(UploadRefusal::TooMany);
        }
        uploads
            .iter()
            .map(|upload| {
                if upload.bytes.len() > self.bytes_max {
                    return Err(UploadRefusal::TooLarge);
                }
                FileKind::sniff(&upload.bytes).ok_or(UploadRefusal::TypeRefused)
            })
            .collect()
    }

    /// The checked uploads (`kinds` as [`UploadRules::check`] answered) as they are stored,
    /// each with its bytes.
    pub fn describe<'u>(
        &self,
        uploads: &'u [Upload],
        kinds: &[FileKind],
        owner_id: &str,
        message_id: Option<&str>,
        now: UnixSeconds,
    ) -> Vec<(DocumentInfo, &'u [u8])> {
        uploads
            .iter()
            .zip(kinds)
            .map(|(upload, kind)| {
                let info = DocumentInfo {
                    id: new_id(self.id_prefix),
                    owner_id: owner_id.to_owned(),
                    message_id: message_id.map(str::to_owned),
                    file_name: self.names.clean(&upload.file_name, *kind),
                    content_type: kind.content_type().to_owned(),
                    size_bytes: upload.bytes.len() as i64,
                    created_at: now,
                };
                (info, upload.bytes.as_slice())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    const RULES: UploadRules = UploadRules {
        count_max: 2,
        bytes_max: 64,
        required: true,
        names: FileNames::AsSent {
            fallback: "document",
        },
        id_prefix: "doc",
    };

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            file_name: name.to_owned(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn files_are_recognised_by_content_not_by_name() {
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\n rest"),
            Some(FileKind::Png)
        );
        assert_eq!(FileKind::sniff(b"\xff\xd8\xff\xe0"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"%PDF-1.7"), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(b"MZ\x90\x00 an exe named x.png"), None);
        assert_eq!(FileKind::sniff(b""), None);
    }

    #[test]
    fn uploads_are_judged_by_their_count_size_and_bytes() {
        assert_eq!(RULES.check(&[]), Err(UploadRefusal::Missing));
        let optional = UploadRules {
            required: false,
            ..RULES
        };
        assert_eq!(optional.check(&[]), Ok(Vec::new()));
        assert_eq!(
            RULES.check(&[upload("id.png", b"GIF89a")]),
            Err(UploadRefusal::TypeRefused)
        );
        let mut large = PNG.to_vec();
        large.resize(RULES.bytes_max + 1, 0);
        assert_eq!(
            RULES.check(&[upload("id.png", &large)]),
            Err(UploadRefusal::TooLarge)
        );
        let three = vec![upload("a.png", PNG); RULES.count_max + 1];
        assert_eq!(RULES.check(&three), Err(UploadRefusal::TooMany));
        assert_eq!(
            RULES.check(&[upload("scan.pdf.exe", b"%PDF-1.7\n")]),
            Ok(vec![FileKind::Pdf])
        );
    }

    #[test]
    fn names_as_sent_lose_their_paths_and_quotes() {
        let names = FileNames::AsSent {
            fallback: "attachment",
        };
        assert_eq!(names.clean("C:\\x\\a\"b.png", FileKind::Png), "ab.png");
        assert_eq!(names.clean("", FileKind::Pdf), "attachment.pdf");
    }

    #[test]
    fn safe_stems_keep_letters_and_the_real_extension() {
        let names = FileNames::SafeStem {
            fallback: "document",
        };
        assert_eq!(
            names.clean("../../etc/pass wd.pdf", FileKind::Png),
            "passwd.png"
        );
        assert_eq!(names.clean("", FileKind::Pdf), "document.pdf");
    }

    #[test]
    fn described_documents_carry_their_owner_and_real_type() {
        let uploads = [upload("../scan.png", PNG)];
        let kinds = RULES.check(&uploads).expect("a PNG");
        let described = RULES.describe(&uploads, &kinds, "apl_1", None, 7);
        let (info, bytes) = &described[0];
        assert!(info.id.starts_with("doc_"));
        assert_eq!(info.owner_id, "apl_1");
        assert_eq!(info.file_name, "scan.png");
        assert_eq!(info.content_type, "image/png");
        assert_eq!(info.size_bytes, PNG.len() as i64);
        assert_eq!(*bytes, PNG);
    }
}
