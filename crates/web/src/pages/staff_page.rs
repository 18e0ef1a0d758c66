//! The scaffolding every back-office page built on [`StaffFrame`] shares: its data read only for a role that may see it, and its template reading the frame's fields by their own names.

use std::future::Future;

use super::staff_admin::StaffFrame;
use crate::error::ApiError;

impl StaffFrame {
    /// What the page shows, read only when the member's role may see it (else the empty
    /// default, beside the frame's refusal): a refused role learns nothing from the page, not
    /// even through an error. A read that fails answers with the error page.
    pub(crate) async fn load<T: Default>(
        &self,
        read: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        if self.allowed {
            read.await
        } else {
            Ok(T::default())
        }
    }
}

/// Lets a staff page's template read its `frame: StaffFrame` field's fields (`admin`, `links`,
/// `csrf_token`, `notice`, `error`, `allowed`) by their own names, as `staff_nav.html` does.
macro_rules! staff_page {
    ($($page:ty),+ $(,)?) => {$(
        impl std::ops::Deref for $page {
            type Target = $crate::pages::staff_admin::StaffFrame;

            fn deref(&self) -> &Self::Target {
                &self.frame
            }
        }
    )+};
}
pub(crate) use staff_page;
