//! A group named in a form: people type (or pick from a list) its name, as
//! they know it; its address still works for those who have it.

use crate::{AppError, AppResult, Services};
use convene_domain::InvalidInput;
use convene_store::Ex;
use convene_store::groups::{self, GroupRow};

/// The longest text quoted back in a message.
const QUOTED: usize = 80;

/// The approved group `text` names in the form field `field`: its address
/// (`pug-boston`) or its name in any case ("Boston Python"). A name shared
/// by several groups, or one no group has, is refused with the candidates.
pub async fn pick_group(mut ex: Ex<'_>, field: &'static str, text: &str) -> AppResult<GroupRow> {
    let text = text.trim();
    if text.is_empty() {
        return Err(
            InvalidInput::new(field, "Type the group's name and choose it from the list.").into(),
        );
    }
    let quoted: String = text.chars().take(QUOTED).collect();
    if text.len() <= 200 {
        let slug = text.to_ascii_lowercase();
        if let Some(g) = groups::by_slug(ex.reborrow(), &slug)
            .await?
            .filter(|g| g.approval == "approved")
        {
            return Ok(g);
        }
        let mut named = groups::approved_by_name(ex.reborrow(), text).await?;
        match named.len() {
            1 => return Ok(named.remove(0)),
            0 => {}
            _ => {
                let options: Vec<String> = named
                    .iter()
                    .map(|g| {
                        let place = [g.city.as_str(), g.country.as_str()]
                            .iter()
                            .filter(|s| !s.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!("{} ({place})", g.slug)
                    })
                    .collect();
                return Err(InvalidInput::new(
                    field,
                    format!(
                        "Several groups are called “{quoted}”; type the address of the one you mean: {}.",
                        options.join(", ")
                    ),
                )
                .into());
            }
        }
    }
    let like: Vec<String> = groups::search(ex.reborrow(), &quoted, 3)
        .await?
        .into_iter()
        .map(|(g, _)| format!("“{}”", g.name))
        .collect();
    let hint = match like.as_slice() {
        [] => String::new(),
        [one] => format!(" Did you mean {one}?"),
        [rest @ .., last] => format!(" Did you mean {} or {last}?", rest.join(", ")),
    };
    Err(AppError::Invalid(InvalidInput::new(
        field,
        format!("No group is called “{quoted}”.{hint}"),
    )))
}

/// The names of the approved groups, for a picker's list of choices.
pub async fn group_names(svc: &Services) -> AppResult<Vec<String>> {
    let mut conn = svc.db.conn().await?;
    Ok(groups::approved_names(conn.ex()).await?)
}
