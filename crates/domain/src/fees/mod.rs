//! Fees and discounts (SPEC section 3): the versioned schedule, the breakdown of one movement's
//! fees, and the maintenance fee on long-inactive wallets.

pub mod compute;
pub mod maintenance;
pub mod schedule;

pub use compute::{
    DiscountLine, DiscountSource, FeeBreakdown, FeeCharging, FeeError, FeeLine, FeeRequest,
    fee_breakdown,
};
pub use maintenance::{Inactivity, MaintenanceCharge, inactivity, maintenance_charge};
pub use schedule::{
    AgeTier, FeeKind, FeeRules, FeeSchedule, InvalidFeeRules, PROMOTIONS_MAX, Promotion,
    PromotionBenefit, TIERS_MAX, VolumeTier,
};

#[cfg(test)]
mod tests;
