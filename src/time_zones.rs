//! Time zones for computing dose times on the device.
//!
//! The app is built without a time-zone database (it would weigh on every patient's download), so
//! each zone a reminder needs is fetched once from the backend as TZif rules and kept on the device,
//! where the Today view can use it with no network.

use std::collections::HashMap;

use leptos::prelude::*;
use portal_core::schedule::jiff::tz::TimeZone;
use portal_core::time_zone::TimeZoneData;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use crate::api::Api;
use crate::device_store::{self, keys};

/// The zones loaded so far, shared through context.
#[derive(Clone, Copy)]
pub struct Zones {
    loaded: RwSignal<HashMap<String, TimeZone>>,
    /// Zones neither the device nor the backend could give (offline on first use, or unknown).
    missing: RwSignal<Vec<String>>,
    /// Zones being fetched, so two pages asking at once fetch once.
    loading: RwSignal<Vec<String>>,
    api: StoredValue<SendWrapper<Api>>,
}

impl Zones {
    pub fn provide(api: Api) -> Zones {
        let zones = Zones {
            loaded: RwSignal::new(HashMap::new()),
            missing: RwSignal::new(Vec::new()),
            loading: RwSignal::new(Vec::new()),
            api: StoredValue::new(SendWrapper::new(api)),
        };
        provide_context(zones);
        zones
    }

    /// The zone, once loaded (reactive).
    pub fn get(self, name: &str) -> Option<TimeZone> {
        self.loaded.with(|map| map.get(name).cloned())
    }

    /// The zone, once loaded, without subscribing.
    pub fn get_untracked(self, name: &str) -> Option<TimeZone> {
        self.loaded.with_untracked(|map| map.get(name).cloned())
    }

    /// True when `name` could not be loaded, so the page can say why doses are missing.
    pub fn is_missing(self, name: &str) -> bool {
        self.missing.with(|list| list.iter().any(|n| n == name))
    }

    /// Starts loading every zone in `names` that is not loaded or loading yet: from the device,
    /// else from the backend (then kept on the device).
    pub fn ensure<'a>(self, names: impl IntoIterator<Item = &'a str>) {
        let wanted: Vec<String> = names
            .into_iter()
            .filter(|n| !n.is_empty())
            .filter(|n| {
                self.loaded.with_untracked(|m| !m.contains_key(*n))
                    && self.loading.with_untracked(|l| !l.iter().any(|x| x == n))
            })
            .map(str::to_owned)
            .collect();
        if wanted.is_empty() {
            return;
        }
        self.loading.update(|l| l.extend(wanted.iter().cloned()));
        let api = self.api.get_value();
        leptos::task::spawn_local(async move {
            let mut kept = stored().await;
            let mut changed = false;
            for name in &wanted {
                let data = match kept.iter().find(|d| &d.name == name) {
                    Some(d) => Some(d.clone()),
                    None => match api.time_zone(name).await {
                        Ok(d) => {
                            kept.retain(|k| k.name != d.name);
                            kept.push(d.clone());
                            changed = true;
                            Some(d)
                        }
                        Err(_) => None,
                    },
                };
                match data.and_then(|d| d.to_time_zone()) {
                    Some(tz) => {
                        self.loaded.update(|m| {
                            m.insert(name.clone(), tz);
                        });
                        self.missing.update(|l| l.retain(|n| n != name));
                    }
                    None => self.missing.update(|l| {
                        if !l.contains(name) {
                            l.push(name.clone());
                        }
                    }),
                }
            }
            if changed {
                if let Ok(text) = serde_json::to_string(&kept) {
                    let _ = device_store::put(keys::TIME_ZONES, &text).await;
                }
            }
            self.loading.update(|l| l.retain(|n| !wanted.contains(n)));
        });
    }

    /// Forgets what failed, so the next `ensure` tries again (after coming back online).
    pub fn retry_missing(self) {
        let names = self.missing.get_untracked();
        self.missing.set(Vec::new());
        self.ensure(names.iter().map(String::as_str));
    }
}

async fn stored() -> Vec<TimeZoneData> {
    match device_store::get(keys::TIME_ZONES).await {
        Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The zones context.
pub fn use_zones() -> Option<Zones> {
    use_context::<Zones>()
}

/// The IANA zone this device's clock is set to, such as `Europe/London` (UTC if unknown).
/// Asks `Temporal` where the browser has it: starting `Intl` for the same answer costs a slow
/// phone about a quarter of a second, on the first Today of every visit.
pub fn device_zone() -> String {
    temporal_zone().unwrap_or_else(intl_zone)
}

fn temporal_zone() -> Option<String> {
    let get = |target: &wasm_bindgen::JsValue, key: &str| {
        js_sys::Reflect::get(target, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let now = get(&get(&js_sys::global(), "Temporal")?, "Now")?;
    let zone_id = get(&now, "timeZoneId")?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    zone_id
        .call0(&now)
        .ok()?
        .as_string()
        .filter(|zone| !zone.is_empty())
}

fn intl_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// Every zone name the browser knows, for the zone picker's suggestions (empty on old browsers,
/// where the person types the name).
pub fn zone_names() -> Vec<String> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let supported = intl
        .as_ref()
        .and_then(|i| js_sys::Reflect::get(i, &"supportedValuesOf".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match (intl, supported) {
        (Some(intl), Some(f)) => f
            .call1(&intl, &"timeZone".into())
            .ok()
            .map(|list| {
                js_sys::Array::from(&list)
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}
