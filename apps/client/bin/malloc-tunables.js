// glibc malloc settings for the client's processes: the `stash-sense` process itself (set by bin/stash-sense.js,
// which starts it) and the ffmpeg and ffprobe it runs (src/pipeline/frames.ts). glibc ≥ 2.35 reads them
// at process start; older glibc and other C libraries ignore them.
//
// Why: a 60-frame scene moves ≈ 330 MiB of 1080p and 1280×720 frames through freshly allocated memory, first
// touched page by page, and a page fault costs several microseconds of system time on the 2-core VMs. Measured
// (docs/benchmarks.md, "Client speed"), glibc's defaults → these settings:
// - ffmpeg, a 10-frame 1080p batch: ≈ 60,000 → 10,000 page faults, 1.2 → 0.66 CPU-s (`perf`: each input's decoder
//   zeroes a fresh ≈ 17–20 MiB frame pool). By default frames above 128 KiB get one mmap each, too small and
//   unaligned for huge pages; hugetlb alone still took ≈ 32,000 faults;
// - the client reading 60 frames from ffmpeg: ≈ 85,000 → 9,000 page faults, 1.45 → 0.4 CPU-s.
// Peak RSS grows a little (ffmpeg's 10-frame batch 261 → 264 MiB). A larger top_pad (heap growth step) measured
// no different.
export const MALLOC_TUNABLES = Object.freeze({
  'glibc.malloc.hugetlb': '1', // transparent huge pages for malloc's memory (the kernel's "madvise" mode)
  'glibc.malloc.mmap_threshold': String(32 * 1024 * 1024), // frames come from the heap, not one mmap each
});

/**
 * `env` with MALLOC_TUNABLES added to GLIBC_TUNABLES; a tunable the user set keeps their value. Returns `env` itself
 * when nothing is missing.
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function withMallocTunables(env) {
  const own = (env.GLIBC_TUNABLES ?? '').split(':').filter(Boolean);
  const named = new Set(own.map((tunable) => tunable.split('=')[0]));
  const added = Object.entries(MALLOC_TUNABLES)
    .filter(([name]) => !named.has(name))
    .map(([name, value]) => `${name}=${value}`);
  return added.length === 0 ? env : { ...env, GLIBC_TUNABLES: [...own, ...added].join(':') };
}
