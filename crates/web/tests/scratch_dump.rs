use axum::body::Body;
use axum::http::Request;
use std::sync::Arc;
use tower::ServiceExt;
#[tokio::test]
async fn dump() {
    let app = web::router(web::AppState {
        readiness: Arc::new(|| Box::pin(async { false })),
        metrics: metrics_exporter_prometheus::PrometheusBuilder::new()
            .build_recorder()
            .handle(),
        secure_cookies: true,
    });
    for (path, accept, lang) in [
        ("/", "text/html", "zh-CN"),
        ("/nope", "text/html", "en"),
        ("/readyz", "*/*", "zh"),
        ("/api/v1/currencies", "", "en"),
        ("/healthz?lang=zh-CN", "", ""),
    ] {
        let mut b = Request::builder().uri(path);
        if !accept.is_empty() {
            b = b.header("accept", accept);
        }
        if !lang.is_empty() {
            b = b.header("accept-language", lang);
        }
        let r = app
            .clone()
            .oneshot(b.body(Body::empty()).unwrap())
            .await
            .unwrap();
        println!("=== {path} {:?}\n{:#?}", r.status(), r.headers());
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        println!("{}", String::from_utf8_lossy(&body));
    }
    std::fs::write("/tmp/openapi.json", web::openapi_json()).unwrap();
}
