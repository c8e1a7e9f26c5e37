#!/usr/bin/env node
// A stand-in for the stash-sense plugin's backend script (stash_sense_backend.py), written from the description in
// ../shared/compat/stash-sense-plugin-api.md, section 1, to play the plugin in tests: Stash runs it with JSON on
// stdin ({server_connection, args: {mode, sidecar_url, …}}, `interface: raw`); it makes one plain JSON HTTP call
// to the sidecar and prints {"output": <the sidecar's JSON>}, or {"output": {"error": <detail>}} on a non-2xx
// answer (the JSON `detail` if there is one, else the raw text) and fixed messages when the sidecar cannot be
// reached or does not answer in time. Like Python's requests, a user:password in sidecar_url becomes HTTP Basic
// auth (how the plugin can carry our sidecar token). Per-call timeouts are the plugin's.
import { readFileSync } from 'node:fs';

const DEFAULT_SIDECAR = 'http://localhost:5000';

/** mode → [method, path, body from args, timeout in s]. */
const MODES = {
  health: ['GET', '/health', null, 10],
  database_info: ['GET', '/database/info', null, 10],
  db_check_update: ['GET', '/database/check-update', null, 30],
  db_update: ['POST', '/database/update', null, 10],
  db_update_status: ['GET', '/database/update/status', null, 30],
  identify_scene: [
    'POST',
    '/identify/scene',
    (a) => ({
      scene_id: a.scene_id,
      top_k: Number(a.max_results ?? a.top_k ?? 5),
      ...(a.scene_performer_stashdb_ids?.length
        ? { scene_performer_stashdb_ids: a.scene_performer_stashdb_ids }
        : {}),
      ...(a.num_frames !== undefined ? { num_frames: a.num_frames } : {}),
      ...(a.max_frames !== undefined ? { max_frames: a.max_frames } : {}),
      ...(a.max_distance !== undefined ? { max_distance: a.max_distance } : {}),
      ...(a.min_face_size !== undefined ? { min_face_size: a.min_face_size } : {}),
    }),
    180,
  ],
  identify_image: ['POST', '/identify/image', (a) => ({ image_id: a.image_id }), 30],
  identify_gallery: ['POST', '/identify/gallery', (a) => ({ gallery_id: a.gallery_id }), 300],
  // stash-sense2: "Identify current frame" / "Select to identify".
  identify_frame: ['POST', '/identify', (a) => ({ image_base64: a.image_base64 }), 60],
  search_performers: ['POST', '/stash/search-performers', (a) => ({ query: a.query }), 60],
  create_performer_from_stashbox: [
    'POST',
    '/stash/create-performer',
    (a) => ({ scene_id: a.scene_id, endpoint: a.endpoint, stashdb_id: a.stashdb_id }),
    30,
  ],
  link_performer_stashbox: [
    'POST',
    '/stash/link-performer',
    (a) => ({
      scene_id: a.scene_id,
      performer_id: a.performer_id,
      stash_ids: a.stash_ids ?? [],
      update_metadata: Boolean(a.update_metadata),
    }),
    60,
  ],
};

function print(output) {
  process.stdout.write(`${JSON.stringify({ output })}\n`);
}

async function main() {
  const input = JSON.parse(readFileSync(0, 'utf8') || '{}');
  const args = input.args ?? {};
  const mode = MODES[args.mode];
  if (!mode) return print({ error: `Unknown mode: ${args.mode}` });
  const [method, path, makeBody, timeoutSec] = mode;
  const base = String(args.sidecar_url || DEFAULT_SIDECAR).replace(/\/+$/, '');

  const url = new URL(base + path);
  const headers = {};
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const body = makeBody ? makeBody(args) : undefined;
  if (body !== undefined) headers['content-type'] = 'application/json';

  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutSec * 1000),
    });
  } catch (error) {
    if (error?.name === 'TimeoutError') return print({ error: `Request timed out after ${timeoutSec}s` });
    return print({ error: `Cannot connect to Stash Sense sidecar at ${base}. Is it running?` });
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const detail = json && typeof json === 'object' && 'detail' in json ? json.detail : text;
    return print({ error: detail });
  }
  return print(json === undefined ? text : json);
}

main().catch((error) => {
  print({ error: String(error?.message ?? error) });
});
