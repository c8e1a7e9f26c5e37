const numberFormat = new Intl.NumberFormat('en');
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

export const num = (n: number) => numberFormat.format(n);
export const pct = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(1)} %`;
export const dist = (d: number | null | undefined) => (d === null || d === undefined ? '—' : d.toFixed(3));
export const when = (iso: string | null | undefined) =>
  iso ? `${dateTimeFormat.format(new Date(iso))} UTC` : '—';
export const bytes = (n: number) =>
  n >= 1 << 30
    ? `${(n / (1 << 30)).toFixed(1)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(1)} MiB`
      : n >= 1024
        ? `${(n / 1024).toFixed(1)} KiB`
        : `${n} B`;
export const words = (text: string) => text.replaceAll('_', ' ');
export const shortId = (uuid: string) => uuid.slice(0, 8);
export const person = (u: { email: string; displayName: string | null }) =>
  u.displayName ? `${u.displayName} <${u.email}>` : u.email;
