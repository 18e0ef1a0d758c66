//! A fee schedule's rules as JSON: how `fee_schedules.rules` stores them and how `okpay fees
//! publish` reads them. Amounts are minor units per currency code; rates parts per million.

use domain::fees::{AgeTier, FeeKind, FeeRules, Promotion, PromotionBenefit, VolumeTier};
use domain::nominal::PerCurrency;
use domain::wallet::MovementKind;
use ledger::{Amount, Currency};
use serde_json::{Map, Value, json};

/// Why a rules document cannot be read; names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fee rules: {0} is missing or wrong")]
pub struct FeeRulesJsonError(pub String);

fn per_currency(amounts: &PerCurrency) -> Value {
    let map: Map<String, Value> = amounts
        .iter()
        .map(|(currency, amount)| (currency.code().to_owned(), json!(amount.minor())))
        .collect();
    Value::Object(map)
}

/// The rules as a JSON document.
pub fn fee_rules_to_json(rules: &FeeRules) -> String {
    let promotions: Vec<Value> = rules
        .promotions
        .iter()
        .map(|promotion| {
            let benefit = match &promotion.benefit {
                PromotionBenefit::PercentOff { discount_ppm } => {
                    json!({"percent_off_ppm": discount_ppm})
                }
                PromotionBenefit::FixedOff(amounts) => json!({"fixed_off": per_currency(amounts)}),
            };
            json!({
                "id": promotion.id,
                "starts_at": promotion.starts_at,
                "ends_at": promotion.ends_at,
                "fee_kinds": promotion.fee_kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
                "benefit": benefit,
            })
        })
        .collect();
    json!({
        "transaction_rate_ppm": rules.transaction_rate_ppm,
        "transaction_kinds": rules.transaction_kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
        "exchange_rate_ppm": rules.exchange_rate_ppm,
        "withdrawal_fixed": per_currency(&rules.withdrawal_fixed),
        "withdrawal_rate_ppm": rules.withdrawal_rate_ppm,
        "withdrawal_minimum": per_currency(&rules.withdrawal_minimum),
        "maintenance_monthly": per_currency(&rules.maintenance_monthly),
        "inactive_months": rules.inactive_months,
        "maintenance_notice_days": rules.maintenance_notice_days,
        "volume_tiers": rules.volume_tiers.iter().map(|tier| json!({
            "monthly_volume_min": per_currency(&tier.monthly_volume_min),
            "discount_ppm": tier.discount_ppm,
        })).collect::<Vec<_>>(),
        "age_tiers": rules.age_tiers.iter().map(|tier| json!({
            "account_age_min_days": tier.account_age_min_days,
            "discount_ppm": tier.discount_ppm,
        })).collect::<Vec<_>>(),
        "promotions": promotions,
    })
    .to_string()
}

fn field<'a>(value: &'a Value, name: &str) -> Result<&'a Value, FeeRulesJsonError> {
    value
        .get(name)
        .ok_or_else(|| FeeRulesJsonError(name.to_owned()))
}

fn u32_of(value: &Value, name: &str) -> Result<u32, FeeRulesJsonError> {
    field(value, name)?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| FeeRulesJsonError(name.to_owned()))
}

fn i64_of(value: &Value, name: &str) -> Result<i64, FeeRulesJsonError> {
    field(value, name)?
        .as_i64()
        .ok_or_else(|| FeeRulesJsonError(name.to_owned()))
}

fn per_currency_of(value: &Value, name: &str) -> Result<PerCurrency, FeeRulesJsonError> {
    let wrong = || FeeRulesJsonError(name.to_owned());
    let mut amounts = PerCurrency::new();
    for (code, amount) in field(value, name)?.as_object().ok_or_else(wrong)? {
        let currency = Currency::parse(code).map_err(|_| wrong())?;
        amounts.set(
            currency,
            Amount::from_minor(amount.as_i64().ok_or_else(wrong)?),
        );
    }
    Ok(amounts)
}

fn list_of<'a>(value: &'a Value, name: &str) -> Result<&'a Vec<Value>, FeeRulesJsonError> {
    field(value, name)?
        .as_array()
        .ok_or_else(|| FeeRulesJsonError(name.to_owned()))
}

/// Reads rules written by [`fee_rules_to_json`] (or by an admin in the same shape). The caller
/// still checks them by making a `FeeSchedule`.
pub fn fee_rules_from_json(text: &str) -> Result<FeeRules, FeeRulesJsonError> {
    let value: Value =
        serde_json::from_str(text).map_err(|_| FeeRulesJsonError("the document".into()))?;
    let kinds = |name: &str| -> Result<Vec<MovementKind>, FeeRulesJsonError> {
        list_of(&value, name)?
            .iter()
            .map(|kind| {
                kind.as_str()
                    .and_then(|code| MovementKind::parse(code).ok())
                    .ok_or_else(|| FeeRulesJsonError(name.to_owned()))
            })
            .collect()
    };
    let volume_tiers = list_of(&value, "volume_tiers")?
        .iter()
        .map(|tier| {
            Ok(VolumeTier {
                monthly_volume_min: per_currency_of(tier, "monthly_volume_min")?,
                discount_ppm: u32_of(tier, "discount_ppm")?,
            })
        })
        .collect::<Result<_, FeeRulesJsonError>>()?;
    let age_tiers = list_of(&value, "age_tiers")?
        .iter()
        .map(|tier| {
            Ok(AgeTier {
                account_age_min_days: u32_of(tier, "account_age_min_days")?,
                discount_ppm: u32_of(tier, "discount_ppm")?,
            })
        })
        .collect::<Result<_, FeeRulesJsonError>>()?;
    let promotions = list_of(&value, "promotions")?
        .iter()
        .map(|promotion| {
            let benefit = field(promotion, "benefit")?;
            let benefit = if benefit.get("percent_off_ppm").is_some() {
                PromotionBenefit::PercentOff {
                    discount_ppm: u32_of(benefit, "percent_off_ppm")?,
                }
            } else {
                PromotionBenefit::FixedOff(per_currency_of(benefit, "fixed_off")?)
            };
            Ok(Promotion {
                id: field(promotion, "id")?
                    .as_str()
                    .ok_or_else(|| FeeRulesJsonError("id".into()))?
                    .to_owned(),
                starts_at: i64_of(promotion, "starts_at")?,
                ends_at: i64_of(promotion, "ends_at")?,
                fee_kinds: list_of(promotion, "fee_kinds")?
                    .iter()
                    .map(|kind| {
                        kind.as_str()
                            .and_then(FeeKind::parse)
                            .ok_or_else(|| FeeRulesJsonError("fee_kinds".into()))
                    })
                    .collect::<Result<_, _>>()?,
                benefit,
            })
        })
        .collect::<Result<_, FeeRulesJsonError>>()?;
    Ok(FeeRules {
        transaction_rate_ppm: u32_of(&value, "transaction_rate_ppm")?,
        transaction_kinds: kinds("transaction_kinds")?,
        exchange_rate_ppm: u32_of(&value, "exchange_rate_ppm")?,
        withdrawal_fixed: per_currency_of(&value, "withdrawal_fixed")?,
        withdrawal_rate_ppm: u32_of(&value, "withdrawal_rate_ppm")?,
        withdrawal_minimum: per_currency_of(&value, "withdrawal_minimum")?,
        maintenance_monthly: per_currency_of(&value, "maintenance_monthly")?,
        inactive_months: u32_of(&value, "inactive_months")?,
        maintenance_notice_days: u32_of(&value, "maintenance_notice_days")?,
        volume_tiers,
        age_tiers,
        promotions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_back_as_they_were_written() {
        let mut rules = FeeRules::default();
        rules.promotions.push(Promotion {
            id: "spring_2027".into(),
            starts_at: 1_800_000_000,
            ends_at: 1_800_100_000,
            fee_kinds: vec![FeeKind::ALL[0]],
            benefit: PromotionBenefit::PercentOff {
                discount_ppm: 500_000,
            },
        });
        let text = fee_rules_to_json(&rules);
        assert_eq!(fee_rules_from_json(&text), Ok(rules));
        assert!(fee_rules_from_json("{}").is_err());
    }
}
