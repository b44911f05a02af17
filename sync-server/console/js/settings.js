// Org settings the views share: pipelines with their stages (cached for the
// session; reloaded when asked).

import * as api from "./api.js";

let pipelines = null;

export async function getPipelines(reload = false) {
  if (!pipelines || reload) pipelines = await api.get("/api/pipelines");
  return pipelines;
}

/** stage id -> {name, probability, meaning, pipeline} for every pipeline. */
export async function stageIndex() {
  const p = await getPipelines();
  const idx = {};
  for (const pl of p.items || []) {
    for (const s of pl.stages || []) idx[s.id] = { ...s, pipeline: pl.id };
  }
  return idx;
}

/** A UUID v7 (time-ordered), as the schema wants for new record and item ids. */
export function uuid7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
