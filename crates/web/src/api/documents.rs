//! Uploaded documents over HTTP: one multipart reader for every form that carries files (tickets, identity verification, appeals; the API and the pages alike) and one way to send a stored file back.

use axum::extract::Multipart;
use axum::extract::multipart::Field;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::documents::{DocumentInfo, Upload, UploadRefusal, UploadRules};

use crate::error::ApiError;

/// A multipart form's text fields and files.
#[derive(Default)]
pub(crate) struct MultipartForm {
    pub fields: Vec<(String, String)>,
    pub uploads: Vec<Upload>,
}

impl MultipartForm {
    /// The first value sent under `name`, as sent.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value sent under `name`, or empty.
    pub(crate) fn text(&self, name: &str) -> String {
        self.field(name).unwrap_or_default().to_owned()
    }
}

/// What a form's files are called and how a refusal of them is answered.
pub(crate) struct FileField {
    /// The parts' name (`<name>[]` is accepted too); also the `param` of a broken part.
    pub name: &'static str,
    pub rules: UploadRules,
    pub refused: fn(UploadRefusal) -> ApiError,
}

impl FileField {
    fn is(&self, part_name: &str) -> bool {
        part_name
            .strip_prefix(self.name)
            .is_some_and(|rest| rest.is_empty() || rest == "[]")
    }
}

/// Reads one file, keeping nothing of it once it passes the size limit.
async fn read_upload(files: &FileField, mut field: Field<'_>) -> Result<Upload, ApiError> {
    let file_name = field.file_name().unwrap_or_default().to_owned();
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|_| ApiError::invalid_request(files.name))?
    {
        // The rest of the part is still read (the route's body limit bounds it): answering
        // mid-upload closes the connection under a client still sending, which then sees a
        // broken pipe instead of the 413 and its message.
        if too_large || bytes.len() + chunk.len() > files.rules.bytes_max {
            too_large = true;
            continue;
        }
        bytes.extend_from_slice(&chunk);
    }
    if too_large {
        return Err((files.refused)(UploadRefusal::TooLarge));
    }
    Ok(Upload { file_name, bytes })
}

/// Reads a multipart body: text fields by name, and the files of `files` counted and sized as
/// they arrive. A refusal is answered after the whole body is read, as `read_upload` explains;
/// what the bytes are is judged later, by the use case, with the same rules.
pub(crate) async fn read_multipart(
    mut multipart: Multipart,
    files: &FileField,
) -> Result<MultipartForm, ApiError> {
    let mut form = MultipartForm::default();
    let mut refused = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::invalid_request("body"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if refused.is_some() {
            while let Ok(Some(_)) = field.chunk().await {}
        } else if files.is(&name) {
            // A browser sends an empty part when no file was chosen.
            if field.file_name().is_none_or(str::is_empty) {
                continue;
            }
            if form.uploads.len() == files.rules.count_max {
                while let Ok(Some(_)) = field.chunk().await {}
                refused = Some((files.refused)(UploadRefusal::TooMany));
                continue;
            }
            match read_upload(files, field).await {
                Ok(upload) => form.uploads.push(upload),
                Err(error) => refused = Some(error),
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| ApiError::invalid_request(name.clone()))?;
            form.fields.push((name, value));
        }
    }
    match refused {
        Some(error) => Err(error),
        None => Ok(form),
    }
}

/// A stored file, sent back with the type its content was recognised as and never rendered
/// inline; the name in `Content-Disposition` keeps printable ASCII only.
pub(crate) fn document_response(info: &DocumentInfo, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        info.file_name
            .chars()
            .map(|c| if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            })
            .collect::<String>()
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&info.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
