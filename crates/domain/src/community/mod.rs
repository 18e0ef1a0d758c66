//! The user community (用户社区): questions and answers, votes, an accepted answer, staff and
//! expert badges, and moderation (reports, hiding, locking).

pub mod api;
pub mod port;
pub mod use_cases;

pub use api::CommunityApi;
pub use port::{BadgeGrant, CommunityReport, CommunityStore, ReportResolution, VoteTarget};
pub use use_cases::{
    Answer, Badge, Community, CommunityError, Post, PostDraft, Question, QuestionPage,
    QuestionThread, ReportedPost,
};
