//! Gives every request an id, `req_<uuid v7>`, shared by the response header, the log and error bodies.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

/// The response header that carries the request id, for clients to quote to support.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being served, in its extensions from the first layer on.
///
/// Always our own: an id sent by the client is not trusted, as it would let anyone write what
/// they like into our logs and collide with other requests' ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    fn generate() -> Self {
        // v7 ids sort by time, so log lines and support tickets line up with the clock.
        RequestId(format!("req_{}", Uuid::now_v7().simple()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) async fn assign_request_id(mut request: Request, next: Next) -> Response {
    let request_id = RequestId::generate();
    let header = HeaderValue::from_str(request_id.as_str())
        .expect("a request id is made of ASCII letters, digits and an underscore");
    request.extensions_mut().insert(request_id);
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID_HEADER, header);
    response
}
